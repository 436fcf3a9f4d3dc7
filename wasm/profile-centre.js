/* Ashna profile centre: a component a shop drops into any page to let customers see, correct and
 * erase what Ashna knows about them, in English or Persian (right-to-left). It uses only the
 * public window.ashna API, builds every node with createElement and fills it with textContent
 * (never HTML), and needs no inline script (CSP-clean). Usage:
 *   <div data-ashna-profile-centre></div>
 *   <script src="/ashna-profile-centre.js" defer></script>   (after the snippet and ashna.js) */
(function (w, d) {
  'use strict';

  var TEXT = {
    en: {
      title: 'Your profile', intro: 'Everything this shop keeps about you, in this browser and on our server. You can change or erase it at any time.',
      about: 'About you', name: 'Name', language: 'Language', channel: 'How we may contact you', save: 'Save', saved: 'Saved.',
      channels: { '': 'Not set', email: 'Email', phone: 'Phone', web: 'Only on this website', app: 'App' },
      interests: 'Your interests', stated: 'You told us', inferred: 'We noticed', none: 'Nothing yet.',
      remove: 'Remove', notInterested: 'Not interested', addInterest: 'Add an interest', add: 'Add',
      because: function (a) {
        var parts = [];
        if (a.views) parts.push(a.views + (a.views === 1 ? ' view' : ' views'));
        if (a.carts) parts.push(a.carts + (a.carts === 1 ? ' time in the cart' : ' times in the cart'));
        if (a.purchases) parts.push(a.purchases + (a.purchases === 1 ? ' purchase' : ' purchases'));
        return 'From ' + parts.join(', ') + '.';
      },
      shopping: 'Your shopping', segment: 'How we see you', stage: 'Right now', orders: function (n) { return n + (n === 1 ? ' order' : ' orders'); },
      reminders: 'Coming up', noReminders: 'No reminders.',
      reminder: function (r, date, every) { return r + ' — usually every ' + every + ' days, next around ' + date + '.'; },
      choices: 'Your choices', gpc: 'Your browser sends Global Privacy Control, so marketing stays off.',
      purposes: { personalisation: 'Personalise this shop for me (greetings, suggestions, reminders)', analytics: 'Remember what I look at and buy', marketing: 'Use my profile for marketing' },
      saveChoices: 'Save my choices', data: 'Your data', download: 'Download everything (JSON)',
      erase: 'Erase everything', confirmErase: 'Yes, erase my profile everywhere', cancel: 'Cancel',
      eraseWarning: 'This erases your profile in this browser now, and on our server and your other devices at their next visit. It cannot be undone.',
      erased: 'Your profile is erased.', off: 'Ashna is not active in this browser.',
      segments: { none: 'No orders yet', champions: 'One of our best customers', loyal: 'A loyal customer', potential_loyalist: 'Becoming a regular', 'new': 'A new customer', at_risk: 'We have not seen you in a while', cant_lose: 'A valued customer we miss', hibernating: 'Quiet lately', lost: 'Long time no see' },
      stages: { discovering: 'Looking around', comparing: 'Comparing products', deciding: 'Something is in your cart', bought: 'Just ordered', evaluating: 'Trying what you bought', loyal: 'A regular', at_risk: 'Away for a while' }
    },
    fa: {
      title: 'نمایه‌ی شما', intro: 'همه‌ی آنچه این فروشگاه درباره‌ی شما نگه می‌دارد، در این مرورگر و روی سرور ما. هر زمان بخواهید می‌توانید آن را تغییر دهید یا پاک کنید.',
      about: 'درباره‌ی شما', name: 'نام', language: 'زبان', channel: 'راه تماس با شما', save: 'ذخیره', saved: 'ذخیره شد.',
      channels: { '': 'انتخاب نشده', email: 'ایمیل', phone: 'تلفن', web: 'فقط در همین وب‌سایت', app: 'اپلیکیشن' },
      interests: 'علاقه‌های شما', stated: 'خودتان گفته‌اید', inferred: 'ما دیده‌ایم', none: 'هنوز چیزی نیست.',
      remove: 'حذف', notInterested: 'علاقه‌ای ندارم', addInterest: 'افزودن علاقه', add: 'افزودن',
      because: function (a) {
        var parts = [];
        if (a.views) parts.push(fa(a.views) + ' بازدید');
        if (a.carts) parts.push(fa(a.carts) + ' بار در سبد');
        if (a.purchases) parts.push(fa(a.purchases) + ' خرید');
        return 'از ' + parts.join('، ') + '.';
      },
      shopping: 'خریدهای شما', segment: 'شما از نگاه ما', stage: 'اکنون', orders: function (n) { return fa(n) + ' سفارش'; },
      reminders: 'به‌زودی', noReminders: 'یادآوری‌ای نیست.',
      reminder: function (r, date, every) { return r + ' — معمولاً هر ' + fa(every) + ' روز، نوبت بعد حدود ' + date + '.'; },
      choices: 'انتخاب‌های شما', gpc: 'مرورگر شما سیگنال «کنترل جهانی حریم خصوصی» را می‌فرستد؛ بازاریابی خاموش می‌ماند.',
      purposes: { personalisation: 'این فروشگاه را برایم شخصی کن (خوشامد، پیشنهاد، یادآوری)', analytics: 'آنچه می‌بینم و می‌خرم را به خاطر بسپار', marketing: 'از نمایه‌ام برای بازاریابی استفاده کن' },
      saveChoices: 'ذخیره‌ی انتخاب‌ها', data: 'داده‌های شما', download: 'دریافت همه‌چیز (JSON)',
      erase: 'پاک کردن همه‌چیز', confirmErase: 'بله، نمایه‌ام را همه‌جا پاک کن', cancel: 'انصراف',
      eraseWarning: 'نمایه‌ی شما همین حالا در این مرورگر، و در بازدید بعدی روی سرور و دستگاه‌های دیگرتان پاک می‌شود. این کار بازگشت‌پذیر نیست.',
      erased: 'نمایه‌ی شما پاک شد.', off: 'آشنا در این مرورگر فعال نیست.',
      segments: { none: 'هنوز سفارشی نداده‌اید', champions: 'از بهترین مشتریان ما', loyal: 'مشتری وفادار', potential_loyalist: 'در حال همیشگی شدن', 'new': 'مشتری تازه', at_risk: 'مدتی است شما را ندیده‌ایم', cant_lose: 'مشتری ارزشمندی که دلمان برایش تنگ شده', hibernating: 'این اواخر کم‌پیدا', lost: 'خیلی وقت است ندیده‌ایمتان' },
      stages: { discovering: 'در حال گشت‌وگذار', comparing: 'در حال مقایسه', deciding: 'چیزی در سبد خرید دارید', bought: 'تازه سفارش داده‌اید', evaluating: 'در حال امتحان خرید', loyal: 'مشتری همیشگی', at_risk: 'مدتی دور بوده‌اید' }
    }
  };
  var LANGS = { en: 'English', fa: 'فارسی' };

  function fa(n) { return String(n).replace(/[0-9]/g, function (c) { return '۰۱۲۳۴۵۶۷۸۹'[c]; }); }

  // The only way this component makes nodes: text content, and attributes from a fixed list.
  var ATTRS = { 'class': 1, type: 1, id: 1, 'for': 1, name: 1, value: 1, lang: 1, dir: 1, role: 1,
    'aria-live': 1, 'aria-labelledby': 1, 'data-action': 1, 'data-key': 1, autocomplete: 1 };
  function el(tag, attrs, text) {
    var n = d.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (ATTRS[k]) n.setAttribute(k, attrs[k]); });
    if (text != null) n.textContent = String(text);
    return n;
  }
  function section(root, id, title) {
    var s = el('section', { 'class': 'ashna-pc-section', id: id, 'aria-labelledby': id + '-title' });
    s.appendChild(el('h2', { id: id + '-title' }, title));
    root.appendChild(s);
    return s;
  }
  function button(text, action, key) {
    var b = el('button', { type: 'button', 'data-action': action }, text);
    if (key != null) b.setAttribute('data-key', key);
    return b;
  }
  function leaf(key) { return key.split('/').pop().replace(/[-_]/g, ' '); }

  function draw(root, p, v, c, note) {
    var lang = (p.traits.locale && p.traits.locale.value) || d.documentElement.lang || 'en';
    lang = TEXT[lang] ? lang : 'en';
    var t = TEXT[lang];
    root.textContent = '';
    root.setAttribute('lang', lang);
    root.setAttribute('dir', lang === 'fa' ? 'rtl' : 'ltr');
    root.appendChild(el('h1', {}, t.title));
    root.appendChild(el('p', {}, t.intro));
    // The note is a key, shown in the language just chosen (saving a new language says so in it).
    if (note) root.appendChild(el('p', { 'class': 'ashna-pc-note', role: 'status', 'aria-live': 'polite' }, t[note]));

    // About you: name, language, preferred channel.
    var about = section(root, 'ashna-pc-about', t.about);
    var form = el('form', { 'class': 'ashna-pc-form', 'data-action': 'save-traits' });
    form.appendChild(el('label', { 'for': 'ashna-pc-name' }, t.name));
    var name = el('input', { id: 'ashna-pc-name', name: 'name', autocomplete: 'given-name' });
    name.value = p.traits.name ? p.traits.name.value : '';
    form.appendChild(name);
    form.appendChild(el('label', { 'for': 'ashna-pc-lang' }, t.language));
    var sel = el('select', { id: 'ashna-pc-lang', name: 'locale' });
    Object.keys(LANGS).forEach(function (k) { var o = el('option', { value: k }, LANGS[k]); o.selected = k === lang; sel.appendChild(o); });
    form.appendChild(sel);
    form.appendChild(el('label', { 'for': 'ashna-pc-channel' }, t.channel));
    var ch = el('select', { id: 'ashna-pc-channel', name: 'channel' });
    var current = p.traits.channel ? p.traits.channel.value : '';
    Object.keys(t.channels).forEach(function (k) { var o = el('option', { value: k }, t.channels[k]); o.selected = k === current; ch.appendChild(o); });
    form.appendChild(ch);
    form.appendChild(el('button', { type: 'submit' }, t.save));
    about.appendChild(form);

    // Interests: what they said, what we inferred (with the reason), and a way to add one.
    var ints = section(root, 'ashna-pc-interests', t.interests);
    var stated = v.categories.concat(v.tags).filter(function (a) { return a.stated; });
    var inferred = v.categories.concat(v.tags).filter(function (a) { return !a.stated; }).slice(0, 8);
    ints.appendChild(el('h3', {}, t.stated));
    var ul = el('ul', { 'class': 'ashna-pc-list' });
    stated.forEach(function (a) { var li = el('li', {}, leaf(a.key) + ' '); li.appendChild(button(t.remove, 'forget', a.key)); ul.appendChild(li); });
    if (!stated.length) ul.appendChild(el('li', {}, t.none));
    ints.appendChild(ul);
    ints.appendChild(el('h3', {}, t.inferred));
    ul = el('ul', { 'class': 'ashna-pc-list' });
    inferred.forEach(function (a) {
      var li = el('li', {}, leaf(a.key) + ' — ' + t.because(a) + ' ');
      li.appendChild(button(t.notInterested, 'remove', a.key));
      ul.appendChild(li);
    });
    if (!inferred.length) ul.appendChild(el('li', {}, t.none));
    ints.appendChild(ul);
    var add = el('form', { 'class': 'ashna-pc-form', 'data-action': 'add-interest' });
    add.appendChild(el('label', { 'for': 'ashna-pc-add' }, t.addInterest));
    add.appendChild(el('input', { id: 'ashna-pc-add', name: 'interest' }));
    add.appendChild(el('button', { type: 'submit' }, t.add));
    ints.appendChild(add);

    // Shopping: segment and stage in words, upcoming reminders.
    var shop = section(root, 'ashna-pc-shopping', t.shopping);
    var dl = el('dl', {});
    dl.appendChild(el('dt', {}, t.segment));
    dl.appendChild(el('dd', {}, (t.segments[v.rfm.segment] || v.rfm.segment) + (v.rfm.orders ? ' (' + t.orders(v.rfm.orders) + ')' : '')));
    dl.appendChild(el('dt', {}, t.stage));
    dl.appendChild(el('dd', {}, t.stages[v.stage] || v.stage));
    shop.appendChild(dl);
    shop.appendChild(el('h3', {}, t.reminders));
    ul = el('ul', { 'class': 'ashna-pc-list' });
    var titles = {};
    p.events.forEach(function (e) { (e.lines || []).concat(e.item ? [e.item] : []).forEach(function (i) { if (i.title) titles[i.id] = i.title; }); });
    var dateFmt = lang === 'fa' ? 'fa-IR' : 'en-GB';
    v.items.filter(function (r) { return r.status !== 'one_off'; }).slice(0, 5).forEach(function (r) {
      var date = new Date(r.next).toLocaleDateString(dateFmt, { day: 'numeric', month: 'long' });
      ul.appendChild(el('li', {}, t.reminder(titles[r.key] || r.key, date, Math.round(r.interval_days))));
    });
    if (!ul.firstChild) ul.appendChild(el('li', {}, t.noReminders));
    shop.appendChild(ul);

    // Choices: the consent purposes, GPC shown as such.
    var ch2 = section(root, 'ashna-pc-choices', t.choices);
    var cf = el('form', { 'class': 'ashna-pc-form', 'data-action': 'save-consent' });
    ['personalisation', 'analytics', 'marketing'].forEach(function (k) {
      var id = 'ashna-pc-' + k, box = el('input', { type: 'checkbox', id: id, name: k });
      box.checked = !!c[k];
      if (k === 'marketing' && c.gpc) box.disabled = true;
      var row = el('p', {});
      row.appendChild(box);
      row.appendChild(el('label', { 'for': id }, ' ' + t.purposes[k]));
      cf.appendChild(row);
    });
    if (c.gpc) cf.appendChild(el('p', { 'class': 'ashna-pc-note' }, t.gpc));
    cf.appendChild(el('button', { type: 'submit' }, t.saveChoices));
    ch2.appendChild(cf);

    // Data: download and erase (with a confirmation step).
    var data = section(root, 'ashna-pc-data', t.data);
    data.appendChild(button(t.download, 'download'));
    data.appendChild(button(t.erase, 'erase'));
    var confirmBox = el('div', { 'class': 'ashna-pc-confirm', role: 'alertdialog', 'aria-labelledby': 'ashna-pc-warn' });
    confirmBox.hidden = true;
    confirmBox.appendChild(el('p', { id: 'ashna-pc-warn' }, t.eraseWarning));
    confirmBox.appendChild(button(t.confirmErase, 'erase-confirmed'));
    confirmBox.appendChild(button(t.cancel, 'erase-cancel'));
    data.appendChild(confirmBox);
    return t;
  }

  function mount(root) {
    var a = w.ashna, t = TEXT.en;  // t: the texts of the language last drawn
    function refresh(note) {
      return Promise.all([a.profile.get(), a.views(), a.consent.get()]).then(function (r) {
        if (!r[0]) { root.textContent = t.off; return; }  // the core could not load
        t = draw(root, r[0], r[1], r[2], note);
      });
    }
    root.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = ev.target, action = f.getAttribute('data-action');
      if (action === 'save-traits') {
        a.profile.update({ name: f.elements.name.value, locale: f.elements.locale.value, channel: f.elements.channel.value })
          .then(function () { return refresh('saved'); });
      } else if (action === 'add-interest') {
        var key = f.elements.interest.value.trim().toLowerCase();
        if (key) { var u = {}; u['interest:' + key] = '+'; a.profile.update(u).then(function () { return refresh('saved'); }); }
      } else if (action === 'save-consent') {
        a.consent.set({ personalisation: f.elements.personalisation.checked, analytics: f.elements.analytics.checked,
          marketing: f.elements.marketing.checked }, 'profile_centre').then(function () { return refresh('saved'); });
      }
    });
    root.addEventListener('click', function (ev) {
      var b = ev.target.closest ? ev.target.closest('button[data-action]') : null;
      if (!b) return;
      var action = b.getAttribute('data-action'), key = b.getAttribute('data-key'), u = {};
      if (action === 'remove' || action === 'forget') {
        // Removing an inferred interest is remembered ("-"), so old events cannot bring it back;
        // forgetting a stated one does the same.
        u['interest:' + key] = '-';
        a.profile.update(u).then(function () { return refresh(); });
      } else if (action === 'download') {
        Promise.all([a.profile.get(), a.views(), a.consent.get()]).then(function (r) {
          var blob = new Blob([JSON.stringify({ profile: r[0], views: r[1], consent: r[2] }, null, 2)], { type: 'application/json' });
          var link = d.createElement('a');
          link.href = URL.createObjectURL(blob);
          link.download = 'my-profile.json';
          d.body.appendChild(link);
          link.click();
          link.remove();
        });
      } else if (action === 'erase') {
        var box = root.querySelector('.ashna-pc-confirm');
        box.hidden = false;
        box.querySelector('[data-action="erase-cancel"]').focus();
      } else if (action === 'erase-cancel') {
        root.querySelector('.ashna-pc-confirm').hidden = true;
      } else if (action === 'erase-confirmed') {
        a.profile.erase().then(function () { return refresh('erased'); });
      }
    });
    a.on('consent', function () { refresh(); });
    return refresh();
  }

  function start() {
    var roots = d.querySelectorAll('[data-ashna-profile-centre]');
    for (var i = 0; i < roots.length; i++) mount(roots[i]);
  }
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', start); else start();
})(window, document);
