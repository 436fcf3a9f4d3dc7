#!/usr/bin/env bash
# UCI Online Retail II (the gzipped CSV in ../shared/data/retail/) -> the purchase-log layout that
# `ashna-server eval-recs` reads: customer_id,timestamp,item_id,quantity,unit_price,basket_id.
# Cleaning as in ../shared/data/README.md: customer id present, not a cancellation (Invoice "C..."),
# Quantity > 0, Price > 0; item = StockCode; basket = Invoice (the optional basket_id column).
# Usage: bash tests/bench/retail_to_csv.sh [IN.csv.gz] > OUT.csv
set -euo pipefail
in=${1:-"$(dirname "$0")/../../../shared/data/retail/online_retail_II_2009_2010.csv.gz"}
# Only Description is ever quoted (and may hold commas), so count the other fields from the ends:
# Invoice,StockCode,...Description...,Quantity,InvoiceDate,Price,Customer ID,Country
zcat "$in" | awk -F, '
  NR == 1 { print "customer_id,timestamp,item_id,quantity,unit_price,basket_id"; next }
  {
    inv = $1; item = $2; qty = $(NF-4); ts = $(NF-3); price = $(NF-2); cust = $(NF-1)
    sub(/\.0$/, "", cust)
    if (cust == "" || inv ~ /^C/ || qty + 0 <= 0 || price + 0 <= 0) next
    print cust "," ts "," item "," qty "," price "," inv
  }'
