#!/bin/sh
# Makes tekser's own signed test packets (not run by the tests; its output is committed).
# A test CA, signers and a CRL made with OpenSSL, packets signed with xmlsec1 (libxml2's
# C14N, independent of tekser's). Needs openssl and xmlsec1 (Debian: apt-get install xmlsec1).
# Dates are fixed so that re-running changes keys and signatures but no verdict.
set -eu
cd "$(dirname "$0")"
rm -rf ca && mkdir -p ca/db && : > ca/db/index.txt && echo 1000 > ca/db/serial && echo 1000 > ca/db/crlnumber
cat > ca/openssl.cnf <<'CNF'
[ca]
default_ca = tekser_test
[tekser_test]
dir = ca/db
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = ca/db
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
default_crl_days = 3650
[any]
commonName = supplied
serialNumber = optional
organizationName = optional
organizationalUnitName = optional
countryName = optional
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[sign_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
authorityKeyIdentifier = keyid
[auth_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF
C="-config ca/openssl.cnf -batch -notext"
openssl req -new -newkey rsa:2048 -nodes -keyout ca/ca.key -subj "/C=KZ/CN=TEKSER TEST CA (RSA)" -out ca/ca.csr 2>/dev/null
openssl ca $C -selfsign -keyfile ca/ca.key -in ca/ca.csr -out ca/ca.pem -extensions ca_ext -startdate 20200101000000Z -enddate 20400101000000Z 2>/dev/null
signer() { # name subject extensions
  openssl req -new -newkey rsa:2048 -nodes -keyout "ca/$1.key" -subj "$2" -utf8 -out "ca/$1.csr" 2>/dev/null
  openssl ca $C -cert ca/ca.pem -keyfile ca/ca.key -in "ca/$1.csr" -out "ca/$1.pem" -extensions "$3" -startdate 20230101000000Z -enddate 20300101000000Z -utf8 2>/dev/null
}
signer sender "/C=KZ/CN=ТЕСТОВ ТЕСТ/serialNumber=IIN123456789011/O=АО \"ТЕСТ\"/OU=BIN081140000436" sign_ext
signer other "/C=KZ/CN=ТЕСТОВ ТЕСТ/serialNumber=IIN123456789011/O=ТОО \"ДРУГОЙ\"/OU=BIN123456789021" sign_ext
signer revoked "/C=KZ/CN=ТЕСТОВ ТЕСТ/serialNumber=IIN123456789011/O=АО \"ТЕСТ\"/OU=BIN081140000436" sign_ext
signer auth "/C=KZ/CN=ТЕСТОВ ТЕСТ/serialNumber=IIN123456789011/O=АО \"ТЕСТ\"/OU=BIN081140000436" auth_ext
openssl ca $C -cert ca/ca.pem -keyfile ca/ca.key -revoke ca/revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca $C -cert ca/ca.pem -keyfile ca/ca.key -gencrl -out ca/ca.crl.pem 2>/dev/null
mkdir -p anchors && cp ca/ca.pem anchors/tekser_test_ca.pem
openssl crl -in ca/ca.crl.pem -outform DER -out tekser_test_ca.crl
cp ca/sender.pem ca/revoked.pem ca/other.pem ca/auth.pem .

template() { # packet.xml -> template with an empty enveloped signature before </packet>
  python3 - "$1" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
sig = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference URI="">
<ds:Transforms>
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"/>
</ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue/>
</ds:Reference>
</ds:SignedInfo>
<ds:SignatureValue/>
<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
</ds:Signature>"""
s = s.replace("</packet>", sig + "</packet>")
sys.stdout.write(s)
PY
}
sign() { # key-name input output
  template "$2" > ca/tmpl.xml
  xmlsec1 --sign --privkey-pem "ca/$1.key,ca/$1.pem" --output "$3" ca/tmpl.xml
}
sign sender ../../../examples/plan_item.xml plan_item.signed.xml
sign other ../../../examples/plan_item.xml plan_item.signed_by_other.xml
sign revoked ../../../examples/plan_item.xml plan_item.signed_revoked.xml
sign auth ../../../examples/plan_item.xml plan_item.signed_auth.xml
# A format-logical error under a valid signature: the record id is not a GUID.
sed 's|<id>0f8fadbf-d9cb-469f-a165-708677289572</id>|<id>0f8fadbf-d9cb-469f-a165-70867728957</id>|' ../../../examples/plan_item.xml > ca/flk.xml
sign sender ca/flk.xml plan_item.signed_flk_error.xml
# Changed after signing: the plan item's name.
sed 's|Услуги по передаче электроэнергии|Услуги по передаче газа|' plan_item.signed.xml > plan_item.signed_tampered.xml
rm -rf ca/db ca/*.csr ca/tmpl.xml ca/flk.xml
echo made
