#!/usr/bin/env python3
"""spec_examples.py SPECDIR OUTDIR [MAX]: write every JSON `example` /
`examples[*].value` found in the vendor OpenAPI specs (JSON or YAML) as
one file each under OUTDIR/<vendor>/, as the vendors' own serialisation
would send them. Prints how many per vendor."""
import json, os, sys

try:
    import yaml
    Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
except ImportError:
    yaml = None


def walk(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "example" and isinstance(v, (dict, list)):
                out.append(v)
            elif k == "examples" and isinstance(v, dict):
                for ex in v.values():
                    if isinstance(ex, dict) and isinstance(ex.get("value"), (dict, list)):
                        out.append(ex["value"])
            walk(v, out)
    elif isinstance(node, list):
        for v in node:
            walk(v, out)


def main():
    spec, out, cap = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 400
    for vendor in sorted(os.listdir(spec)):
        vdir = os.path.join(spec, vendor)
        if not os.path.isdir(vdir):
            continue
        found = []
        for f in sorted(os.listdir(vdir)):
            p = os.path.join(vdir, f)
            if f.endswith(".json"):
                doc = json.load(open(p))
            elif f.endswith((".yaml", ".yml")) and yaml is not None:
                doc = yaml.load(open(p), Loader=Loader)
            else:
                continue
            walk(doc, found)
        os.makedirs(os.path.join(out, vendor), exist_ok=True)
        seen = set()
        n = 0
        for ex in found:
            s = json.dumps(ex, ensure_ascii=False, default=str)
            if s in seen:
                continue
            seen.add(s)
            with open(os.path.join(out, vendor, "%04d.json" % n), "w") as fp:
                fp.write(s)
            n += 1
            if n >= cap:
                break
        print(vendor, n)


if __name__ == "__main__":
    main()
