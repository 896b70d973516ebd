#!/usr/bin/env python3
# Embeds a file in prun as a NUL-terminated C array (a string literal this
# long is beyond what ISO C promises): embed.py NAME IN OUT.
import sys

name, src, out = sys.argv[1:4]
with open(src, 'rb') as f:
    data = f.read()
with open(out, 'w') as f:
    f.write('/* Made from %s by embed.py. */\n' % src.split('/')[-1])
    f.write('extern const char %s[];\n' % name)
    f.write('const char %s[] = {\n' % name)
    for i in range(0, len(data), 12):
        f.write('\t' + ' '.join('%d,' % b for b in data[i:i + 12]) + '\n')
    f.write('\t0\n};\n')
