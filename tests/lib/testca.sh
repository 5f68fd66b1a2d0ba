#!/bin/sh
# Make a throw-away CA and a server certificate for loopback tests.
# usage: testca.sh DIR  -> DIR/ca.pem DIR/server.pem DIR/server.key, and
# DIR/foreign.pem DIR/foreign.key: a certificate for the same names that
# no test trusts (self-signed), for the wrong-certificate tests.
# The certificate names localhost, 127.0.0.1, 127.0.0.2, ::1 and the test
# host names that tests pin with `resolve`.
set -e
d=$1
mkdir -p "$d"
cd "$d"
# Kept between runs while it has an hour left (it lives two days).
[ -f foreign.pem ] && openssl x509 -checkend 3600 -noout -in server.pem \
	>/dev/null 2>&1 && exit 0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout ca.key -out ca.pem -days 2 -subj "/CN=portcullis test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
cat > ext.cnf <<'EXT'
subjectAltName=DNS:localhost,DNS:denied.test,DNS:allowed.test,DNS:vault.test,IP:127.0.0.1,IP:127.0.0.2,IP:::1,IP:0.0.0.0,IP:::ffff:127.0.0.1
basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
	-CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
chmod 0644 ca.pem server.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout foreign.key -out foreign.pem -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" 2>/dev/null
chmod 0644 foreign.pem
