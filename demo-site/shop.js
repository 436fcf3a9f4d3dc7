/* Ashna Coffee & Tea — shop code. Always reads window.ashna at call time,
   because the real SDK replaces the stub object once /ashna.js has loaded.
   Language: the pages are written in English; ?lang=fa shows the shop in Persian, right to left,
   and sets the SDK's locale. The choice lives in the URL (kept in the shop's links), never in
   storage: this shop stores no preferences of its own (docs/privacy.md). */
(function () {
  'use strict';

  // ---- Language switch (English / فارسی)
  var FA = {
    'Home': 'خانه', 'Single-origin coffee': 'قهوه‌ی تک‌خاستگاه', 'Coffee blends': 'قهوه‌های ترکیبی',
    'Black tea': 'چای سیاه', 'Green tea': 'چای سبز', 'Brewing gear': 'لوازم دم‌آوری', 'Your profile': 'نمایه‌ی شما',
    'Skip to content': 'پرش به محتوا', 'Ashna Coffee & Tea': 'قهوه و چای آشنا',
    'Ashna Coffee & Tea · Small-batch roastery and tea merchant · Demo shop for the Ashna personalisation SDK. No real orders are taken.':
      'قهوه و چای آشنا — برشته‌کاری در دسته‌های کوچک و فروشگاه چای — فروشگاه نمایشی کیت شخصی‌سازی آشنا. سفارش واقعی پذیرفته نمی‌شود.',
    'Your privacy': 'حریم خصوصی شما',
    "We'd like to remember what you look at so this shop can greet you and suggest things you'll like. Nothing is stored until you choose.":
      'می‌خواهیم آنچه را می‌بینید به خاطر بسپاریم تا این فروشگاه به شما خوشامد بگوید و چیزهایی را که دوست دارید پیشنهاد کند. تا شما انتخاب نکنید، چیزی ذخیره نمی‌شود.',
    'Accept all': 'پذیرفتن همه', 'Necessary only': 'فقط ضروری', 'Our best seller': 'پرفروش‌ترین ما', 'New season': 'برداشت تازه',
    'Freshly roasted, shipped within 24 hours.': 'تازه برشته‌شده، ارسال ظرف ۲۴ ساعت.',
    'Add to cart': 'افزودن به سبد', 'Buy now': 'همین حالا بخرید', 'Category': 'دسته', 'Reorder': 'سفارش دوباره', 'Shipping': 'ارسال',
    'Free within the EU over €40': 'رایگان در اتحادیه‌ی اروپا برای خریدهای بالای ۴۰ یورو',
    'You may also like': 'شاید این‌ها را هم دوست داشته باشید', 'Not a consumable': 'مصرفی نیست',
    'Loading what this shop knows about you…': 'در حال بارگذاری آنچه این فروشگاه درباره‌ی شما می‌داند…',
    'Small-batch roastery · Est. 2019': 'برشته‌کاری در دسته‌های کوچک، از ۲۰۱۹',
    'Good coffee, fine tea, brewed your way.': 'قهوه‌ی خوب، چای مرغوب، به سلیقه‌ی شما.',
    'Welcome to Ashna Coffee & Tea — freshly roasted every week.': 'به قهوه و چای آشنا خوش آمدید — هر هفته تازه برشته می‌شود.',
    'Picked for you': 'برگزیده برای شما', 'Not for me': 'برای من نیست', 'Our coffee & tea': 'قهوه و چای ما',
    'Your loyalty offer: two favourites and something new, 10% off': 'پیشنهاد وفاداری شما: دو محبوب و یک چیز تازه، با ۱۰٪ تخفیف',
    'Make it yours': 'به سلیقه‌ی خودتان', 'Your name': 'نام شما', 'Save': 'ذخیره',
    "Tell us what to call you and we'll greet you by name next time.": 'بگویید شما را چه بنامیم تا دفعه‌ی بعد با نامتان خوشامد بگوییم.',
    'Saved': 'ذخیره شد', 'Could not save': 'ذخیره نشد', 'Main': 'اصلی', 'Breadcrumb': 'مسیر', 'Tags': 'برچسب‌ها', 'Language': 'زبان'
  };
  var param = /[?&]lang=(en|fa)(&|$)/.exec(location.search);
  var chosen = param && param[1];  // an explicit choice in the URL
  var lang = 'en';
  function digits(s) { return s.replace(/[0-9]/g, function (c) { return '۰۱۲۳۴۵۶۷۸۹'[c]; }); }
  function t(text) {
    if (lang !== 'fa') return text;
    var m = /^About every (\d+) days$/.exec(text) || /^(\d+) products$/.exec(text);
    if (m) return (text.charAt(0) === 'A' ? 'تقریباً هر {n} روز' : '{n} محصول').replace('{n}', digits(m[1]));
    return FA[text] || text;
  }
  // Links keep the language: the shop's own, and the SDK's cards (their href pattern).
  function withLang(href) {
    if (lang !== 'fa' || !href || href.charAt(0) !== '/' || /[?&]lang=/.test(href)) return href;
    var hash = href.indexOf('#'), path = hash < 0 ? href : href.slice(0, hash);
    return path + (path.indexOf('?') < 0 ? '?' : '&') + 'lang=fa' + (hash < 0 ? '' : href.slice(hash));
  }
  // Shows the page in Persian: text and labels of the shop's own markup (not the SDK's slots once
  // filled, nor the profile centre, which speak the customer's language themselves).
  function translate() {
    var root = document.documentElement;
    root.lang = 'fa';
    root.dir = 'rtl';
    document.title = document.title.replace('Ashna Coffee & Tea', FA['Ashna Coffee & Tea'])
      .replace('freshly roasted coffee and fine tea', 'قهوه‌ی تازه‌برشته و چای مرغوب');
    var todo = [], n;
    // The page, and the slots' templates (their cards are rendered from them later).
    [document.body].concat(Array.prototype.map.call(document.querySelectorAll('template'), function (tp) { return tp.content; }))
      .forEach(function (root) {
        var walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while ((n = walk.nextNode())) todo.push(n);
      });
    todo.forEach(function (node) {
      if (node.parentElement && node.parentElement.closest('[data-ashna-profile-centre], [data-ashna-rendered], script')) return;
      var text = node.nodeValue.trim(), to = t(text);
      if (text && to !== text) node.nodeValue = node.nodeValue.replace(text, to);
    });
    Array.prototype.forEach.call(document.querySelectorAll('[aria-label]'), function (el) {
      el.setAttribute('aria-label', t(el.getAttribute('aria-label')));
    });
    Array.prototype.forEach.call(document.querySelectorAll('a[href]'), function (a) {
      a.setAttribute('href', withLang(a.getAttribute('href')));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-ashna-href]'), function (el) {
      el.setAttribute('data-ashna-href', withLang(el.getAttribute('data-ashna-href')));
    });
  }
  function initLanguage() {
    var header = document.querySelector('.site-header');
    if (header) {
      var bar = document.createElement('div'), nav = document.createElement('nav');
      bar.className = 'lang-bar';
      nav.className = 'lang-switch';
      nav.setAttribute('aria-label', t('Language'));
      [['en', 'English'], ['fa', 'فارسی']].forEach(function (l) {
        var a = document.createElement('a');
        a.href = location.pathname + '?lang=' + l[0] + location.hash;
        a.lang = l[0];
        a.hreflang = l[0];
        a.textContent = l[1];
        if (l[0] === lang) a.setAttribute('aria-current', 'true');
        nav.appendChild(a);
      });
      bar.appendChild(nav);
      header.insertBefore(bar, header.firstChild);
    }
    if (lang === 'fa') translate();
    // The SDK's locale: the customer's `locale` trait, as the profile centre sets it (kept only
    // with consent); without one the SDK follows <html lang>. An explicit choice updates the trait;
    // without one, a customer who chose Persian in their profile gets the Persian shop.
    window.ashna.on('ready', function (a) {
      a.profile.get().then(function (p) {
        var trait = p && p.traits.locale && p.traits.locale.value;
        if (chosen && trait !== chosen && (trait || chosen === 'fa')) a.profile.update({ locale: chosen });
        else if (!chosen && trait === 'fa' && lang !== 'fa') { lang = 'fa'; translate(); }
      });
    });
  }
  // Before the page is parsed, so the SDK and the first paint see the language already.
  if (chosen === 'fa') {
    lang = 'fa';
    document.documentElement.lang = 'fa';
    document.documentElement.dir = 'rtl';
  }
  document.addEventListener('click', function (event) {
    var a = event.target && event.target.closest && event.target.closest('a[href]');
    if (a && !a.closest('.lang-switch')) a.setAttribute('href', withLang(a.getAttribute('href')));
  }, true);

  function setStatus(el, text, isError) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle('is-error', !!isError);
  }

  function initNameForm() {
    var form = document.getElementById('name-form');
    if (!form) return;
    var input = document.getElementById('name-input');
    var status = document.getElementById('name-status');

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var name = input ? input.value : '';
      var result;
      try {
        result = window.ashna.profile.update({ name: name });
      } catch (err) {
        setStatus(status, t('Could not save'), true);
        return;
      }
      // Queued calls only settle once /ashna.js loads, so confirm right away
      // and only correct the message if the SDK later rejects the update.
      setStatus(status, t('Saved'), false);
      Promise.resolve(result).catch(function () {
        setStatus(status, t('Could not save'), true);
      });
    });
  }

  function init() {
    initLanguage();
    initNameForm();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
