# checksec FILE: prints the hardening features FILE lacks, one per line
# (nothing when it has them all): pie relro now nx canary fortify.
# Sourced by the tests; only readelf is needed.
checksec() {
	f=$1
	readelf -h "$f" 2>/dev/null | grep -q 'Type:.*DYN' || echo pie
	readelf -lW "$f" 2>/dev/null | grep -q GNU_RELRO || echo relro
	readelf -dW "$f" 2>/dev/null | grep -qE 'BIND_NOW|FLAGS.*\bNOW\b' || echo now
	readelf -lW "$f" 2>/dev/null | grep GNU_STACK | grep -q RWE && echo nx
	readelf -lW "$f" 2>/dev/null | grep -q GNU_STACK || echo nx
	readelf --dyn-syms -W "$f" 2>/dev/null | grep -q '__stack_chk_fail' ||
		echo canary
	readelf --dyn-syms -W "$f" 2>/dev/null | grep -qE '__[a-z]+_chk(@|$| )' ||
		echo fortify
}
