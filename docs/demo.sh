#!/bin/sh
# A demo hub with a few CSIRTs, on loopback, with a throwaway PKI.
# Usage: sh docs/demo.sh BUILD_DIR   (./quickstart demo runs it)
set -eu

build=$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
port=${KENTONGAN_DEMO_PORT:-17400}
work=$(mktemp -d "${TMPDIR:-/tmp}/kentongan-demo.XXXXXX")
hubd="$build/src/kentongand"
client="$build/src/kentongan"
hub_pid=
eu_pid=
eu_port=${KENTONGAN_DEMO_EU_PORT:-17500}

cleanup() {
	[ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" || true
	[ -n "$eu_pid" ] && kill "$eu_pid" 2>/dev/null && wait "$eu_pid" || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m--- %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" || true; }

cd "$work"
# Private keys are for their owner's eyes only: the hub refuses a tls_key
# that group or others may read.
umask 077
say "A throwaway PKI: one CA, the hub, and each party's certificate"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -days 2 -subj "/CN=Demo Kentongan CA" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.cnf
for who in hub ID SG MY TH APCERT OPS; do
	cn=$who
	[ "$who" = hub ] && cn=localhost
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$who.key" -out "$who.csr" -subj "/CN=$cn" 2>/dev/null
	openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile san.cnf -out "$who.pem" 2>/dev/null
	echo "  $who: sha256 $(openssl x509 -in "$who.pem" -noout \
	    -fingerprint -sha256 | cut -d= -f2)"
done
fp() { openssl x509 -in "$1.pem" -noout -fingerprint -sha256 | cut -d= -f2; }

say "Another region's PKI: the EU hub and one member of it, CERTEU"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout eu-ca.key -out eu-ca.pem -days 2 -subj "/CN=Demo EU CA" 2>/dev/null
for who in EU CERTEU; do
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$who.key" -out "$who.csr" -subj "/CN=$who" 2>/dev/null
	openssl x509 -req -in "$who.csr" -CA eu-ca.pem -CAkey eu-ca.key \
	    -CAcreateserial -days 2 -extfile san.cnf -out "$who.pem" 2>/dev/null
	echo "  $who: sha256 $(fp "$who")"
done
# Each hub trusts its own authority and its peer's.
cat ca.pem eu-ca.pem > trust.pem

cat > kentongand.conf <<CONF
# Demo hub: four member CSIRTs of the region, one global partner, one operator.
listen 127.0.0.1:$port
operator_listen off
tls_certificate hub.pem
tls_key hub.key
tls_client_ca ca.pem
database kentongan.db
taxonomy $top/etc/taxonomy.json

member ID name="ID-SIRTII (Indonesia)" cert_sha256=$(fp ID)
member SG name="SingCERT (Singapore)"  cert_sha256=$(fp SG)
member MY name="MyCERT (Malaysia)"     cert_sha256=$(fp MY)
member TH name="ThaiCERT (Thailand)"   cert_cn=TH
member APCERT name="APCERT" role=partner cert_cn=APCERT
member OPS name="Hub operations" role=operator cert_cn=OPS

# Indonesia and Singapore share up to AMBER; Indonesia and Malaysia up to RED.
agreement ID SG max_tlp=amber
agreement ID MY max_tlp=red

# The global tier: this hub is ASEAN; it dials the EU hub, and GREEN
# and CLEAR reports of the region's members go there.
hub_id ASEAN
peer EU name="EU hub" cert_sha256=$(fp EU) connect=127.0.0.1:$eu_port max_tlp=green
CONF
sed -i "s/^tls_client_ca .*/tls_client_ca trust.pem/" kentongand.conf
cat > eu.conf <<CONF
# The EU hub: one member, CERTEU; ASEAN's hub is its peer and dials it.
listen 127.0.0.1:$eu_port
operator_listen off
tls_certificate EU.pem
tls_key EU.key
tls_client_ca trust.pem
database eu.db
taxonomy $top/etc/taxonomy.json
hub_id EU
member CERTEU name="CERT-EU" cert_sha256=$(fp CERTEU)
peer ASEAN name="ASEAN hub" cert_sha256=$(fp hub)
CONF
say "The configuration"
grep -v '^#' kentongand.conf | sed '/^$/d; s/^/  /'

say "Check it: kentongand -t"
run "$hubd" -t -c kentongand.conf && echo "  valid"

say "Start the EU hub, then the ASEAN hub, which dials it"
start_eu() {
	sed -i "s/^listen .*/listen 127.0.0.1:$eu_port/" eu.conf
	sed -i "s/connect=127.0.0.1:[0-9]*/connect=127.0.0.1:$eu_port/" \
	    kentongand.conf
	"$hubd" -c eu.conf 2>eu.log &
	eu_pid=$!
	i=0
	until grep -q 'kentongand .* ready' eu.log 2>/dev/null; do
		i=$((i + 1))
		if ! kill -0 "$eu_pid" 2>/dev/null; then
			wait "$eu_pid" || true
			eu_pid=
			return 1
		fi
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}
tries=0
until start_eu; do
	tries=$((tries + 1))
	if ! grep -q 'already in use' eu.log || [ $tries -ge 20 ]; then
		cat eu.log
		exit 1
	fi
	eu_port=$((eu_port + 1))
done
sed 's/^/  eu hub: /' eu.log
# Take the first free port from $port on.
start_hub() {
	op_port=$((port + 1000))
	sed -i "s/^listen .*/listen 127.0.0.1:$port/" kentongand.conf
	sed -i "s/^operator_listen .*/operator_listen 127.0.0.1:$op_port/" \
	    kentongand.conf
	"$hubd" -c kentongand.conf 2>hub.log &
	hub_pid=$!
	i=0
	until grep -q 'kentongand .* ready' hub.log 2>/dev/null; do
		i=$((i + 1))
		if ! kill -0 "$hub_pid" 2>/dev/null; then
			wait "$hub_pid" || true
			hub_pid=
			return 1
		fi
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}
tries=0
until start_hub; do
	tries=$((tries + 1))
	if ! grep -q 'already in use' hub.log || [ $tries -ge 20 ]; then
		cat hub.log
		exit 1
	fi
	port=$((port + 1))
done
sed 's/^/  hub: /' hub.log

export KENTONGAN_HUB=127.0.0.1:$port KENTONGAN_CA=ca.pem
export KENTONGAN_TAXONOMY="$top/etc/taxonomy.json"
as() { who=$1; shift; KENTONGAN_CERT=$who.pem KENTONGAN_KEY=$who.key "$@"; }

say "SG, MY, TH and the partner APCERT listen for alerts (kentongan listen); so does CERTEU, on the EU hub"
listeners=
for who in SG MY TH APCERT; do
	KENTONGAN_CERT=$who.pem KENTONGAN_KEY=$who.key \
	    "$client" listen >"alerts-$who.txt" 2>"listen-$who.err" &
	listeners="$listeners $!"
done
KENTONGAN_HUB=127.0.0.1:$eu_port KENTONGAN_CA=trust.pem \
    KENTONGAN_CERT=CERTEU.pem KENTONGAN_KEY=CERTEU.key \
    "$client" listen >"alerts-CERTEU.txt" 2>"listen-CERTEU.err" &
listeners="$listeners $!"
sleep 0.5

say "The incident codes (first lines of kentongan codes)"
"$client" codes | head -n 8

say "Indonesia reports a DDoS to the region (TLP:GREEN): SG, MY, TH receive it"
run as ID "$client" push --code availability/ddos --severity high --tlp green \
    --title "DDoS against national payment gateway" \
    --indicator ipv4:203.0.113.7 --sector finance

say "Indonesia shares a compromise with Malaysia only (TLP:RED, bilateral agreement)"
run as ID "$client" push --code intrusions/system-compromise --severity critical \
    --tlp red --recipient MY --title "Web shell on a ministry portal"

say "Indonesia shares a C2 server at TLP:AMBER: only its agreement partners SG and MY"
run as ID "$client" push --code malicious-code/c2-server --severity high \
    --tlp amber --title "C2 server used against government networks" \
    --indicator domain:c2.example.net --indicator ipv4:198.51.100.23

say "Thailand tries TLP:AMBER to Indonesia: no agreement, so it is refused whole"
run as TH "$client" push --code malicious-code/c2-server --severity medium \
    --tlp amber --recipient ID --title "C2 server seen in regional traffic" \
    --indicator domain:c2.example.net

say "A file of reports, the second one sent twice: the hub knows it already"
cat > reports.jsonl <<JSON
{"id":"6f1c2a4e-1b7d-4c55-9a0e-3c2b1d4e5f60","code":"fraud/phishing","severity":"medium","tlp":"clear","title":"Phishing kit impersonating a regional bank","indicators":[{"type":"url","value":"https://login.bank.example.org/secure"}]}
{"id":"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10","code":"vulnerable/vulnerable-system","severity":"low","tlp":"green","title":"Exposed SCADA interface","sectors":["energy"],"indicators":[{"type":"cve","value":"CVE-2024-12345"}]}
{"id":"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10","code":"vulnerable/vulnerable-system","severity":"low","tlp":"green","title":"Exposed SCADA interface","sectors":["energy"],"indicators":[{"type":"cve","value":"CVE-2024-12345"}]}
{"id":"8e2b9a55-7c1f-4b7e-a0a3-5d6c7e8f9a01","code":"availability/ddos","severity":"urgent","tlp":"green","title":"A report with a bad severity"}
JSON
run as SG "$client" push reports.jsonl

say "Indonesia keeps the hub's signed receipt, and checks it against the hub's certificate"
as ID "$client" push --json --code fraud/phishing --severity medium --tlp green \
    --title "Phishing wave against e-government logins" > receipts.jsonl
sed 's/^/  /' receipts.jsonl
run "$client" verify --receipt receipts.jsonl --hub-cert hub.pem
echo "  (docs/ledger.md shows the same check with openssl alone)"

say "An unregistered certificate is refused at the handshake, and logged for onboarding"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout VN.key \
    -out VN.csr -subj "/CN=VN" 2>/dev/null
openssl x509 -req -in VN.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -out VN.pem 2>/dev/null
run as VN "$client" push --code test/test --severity info --tlp clear --title "hello"

sleep 0.5
say "Who was told what, and through which tier"
for who in SG MY TH APCERT CERTEU; do
	echo "  $who received:"
	if [ -s "alerts-$who.txt" ]; then
		sed 's/^/    /' "alerts-$who.txt"
	else
		echo "    nothing: no alert was meant for it"
	fi
done
echo "  (TH, with no agreement, gets only the regional GREEN and CLEAR reports;"
echo "   the RED one reached MY alone; APCERT, outside the region, only CLEAR;"
echo "   CERTEU, on the EU hub, the GREEN and CLEAR ones through the global"
echo "   tier, with their origin: ASEAN/ID and ASEAN/SG)"
kill $listeners 2>/dev/null || true

say "MY looks back at its history (kentongan query)"
as MY "$client" query

say "MY's MISP pulls a feed of it (kentongan export --misp-feed), and its SIEM reads STIX"
as MY "$client" export --misp-feed misp-feed-MY
ls misp-feed-MY | sed 's/^/  /'
as MY "$client" query --format stix --limit 1 2>/dev/null | cut -c1-160 | sed 's/^/  /'

say "The operator checks the ledger: every report and signed acknowledgement, recomputed"
KENTONGAN_HUB=127.0.0.1:$op_port run as OPS "$client" verify --ledger

say "The operator console, on the operator listener with the same certificate"
openssl pkcs12 -export -in OPS.pem -inkey OPS.key -out OPS.p12 -passout pass:
python3 - "$op_port" <<'PY' || true
import re, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile="ca.pem")
ctx.load_cert_chain("OPS.pem", "OPS.key")
url = "https://127.0.0.1:%s/" % sys.argv[1]
page = urllib.request.urlopen(url, context=ctx).read().decode()
print("  GET %s: %s, %d plots, %d reports in the latest list" % (
    url, re.search(r"<title>(.*?)</title>", page).group(1),
    page.count("<svg"), page.count("<tr data-seq=")))
PY
cat <<END
  Open https://127.0.0.1:$op_port/ in a browser that holds the operator's
  certificate. For Chromium or Firefox on Linux (NSS), from $work:
    pk12util -i OPS.p12 -d sql:\$HOME/.pki/nssdb -W ''
    certutil -A -n kentongan-demo-ca -t C,, -i ca.pem -d sql:\$HOME/.pki/nssdb
  KENTONGAN_DEMO_KEEP=1 ./quickstart demo keeps the hub running here until
  Enter is pressed, so that there is time to look.
END
if [ -n "${KENTONGAN_DEMO_KEEP:-}" ]; then
	printf '  The hub is running; press Enter to stop it. '
	read -r _ || true
fi

say "Stop the hub (SIGTERM): pending commits finish, connections close cleanly"
kill -TERM "$hub_pid"
wait "$hub_pid" && echo "  kentongand exited 0"
hub_pid=
sed 's/^/  hub: /' hub.log | tail -n 12

kill -TERM "$eu_pid"
wait "$eu_pid" && echo "  the EU hub exited 0"
eu_pid=

say "What is stored"
sqlite3 kentongan.db "SELECT seq, sender, code, tlp, nrecipients FROM reports" 2>/dev/null |
    sed 's/^/  /' || true
