#!/bin/sh
# Make a throw-away CA and a server certificate for loopback tests.
# usage: testca.sh DIR  -> DIR/ca.pem DIR/server.pem DIR/server.key
# The certificate names localhost, 127.0.0.1, 127.0.0.2, ::1 and the test
# host names that tests pin with `resolve`.
set -e
d=$1
mkdir -p "$d"
cd "$d"
[ -f server.pem ] && exit 0
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
