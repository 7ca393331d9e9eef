#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check the SAIP file-structure template table (fs_templates.c) against profile packages.

1. Builds fs_templates.c with -DFS_TEMPLATES_SELFTEST and reads its JSON-lines dump.
2. Checks the table itself: unique OIDs and member names, parents that are directories listed
   before their children, no two files with the same FID in one directory, sizes that fit the
   record length, hex fields, pe_only consistent with params.
3. Compares member names with the project's ASN.1 module (asn1/saip.asn): every name of the
   table must be a member of its PE type; members a template version lacks are listed.
4. For every template PE of every package (DER, converted with `smctl profile convert --to json`,
   or the JSON form): the template OID must be in the table, every member the PE uses must exist
   for that OID, and where the PE gives fileID / file type / record length, they must agree
   (FID: error; type and record length: error; size: reported as a PE override). PEs the
   project's module does not describe (csim, opt-csim, ...) come out of smctl as "_raw"; they are
   decoded here with the member order of the published TCA module (--tca-asn, read only).

Exit status 0 when no error was found. Python 3 standard library only.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))

KIND_BY_FDB = {0x01: 'TR', 0x02: 'LF', 0x06: 'CY'}
DIR_KINDS = ('MF', 'DF', 'ADF')
P_SIZE, P_NBREC, P_FID, P_AID, P_SFI, P_PIN = 1, 2, 4, 8, 16, 32


class Report:
    def __init__(self, verbose):
        self.errors, self.warnings, self.infos = [], [], []
        self.verbose = verbose

    def error(self, msg):
        self.errors.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)

    def info(self, msg):
        self.infos.append(msg)


# ------------------------------------------------------------------------------------------------
# the table


def load_table(src, cc):
    tmp = tempfile.mkdtemp(prefix='fs_templates.')
    try:
        exe = os.path.join(tmp, 'dump')
        cmd = [cc, '-std=c11', '-Wall', '-Wextra', '-Werror', '-DFS_TEMPLATES_SELFTEST',
               '-I', os.path.dirname(src), src, '-o', exe]
        subprocess.run(cmd, check=True)
        out = subprocess.run([exe], check=True, stdout=subprocess.PIPE, text=True).stdout
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def is_hex(s):
    return isinstance(s, str) and len(s) % 2 == 0 and re.fullmatch(r'[0-9a-f]*', s) is not None


def check_table(tpls, rep):
    seen = set()
    for t in tpls:
        oid = t['oid']
        if oid in seen:
            rep.error('table: OID %s twice' % oid)
        seen.add(oid)
        if not oid.startswith('2.23.143.1.2.'):
            rep.error('table: %s: not a TCA template OID' % oid)
        files = t['files']
        names = [f['name'] for f in files]
        for n in set(names):
            if names.count(n) > 1:
                rep.error('table %s: member %s twice' % (oid, n))
        by_dir = {}
        for i, f in enumerate(files):
            where = 'table %s %s' % (oid, f['name'])
            p = f['parent']
            if p >= i or p < -1:
                rep.error('%s: parent %d not a preceding entry' % (where, p))
            elif p >= 0 and files[p]['kind'] not in DIR_KINDS:
                rep.error('%s: parent %s is not a directory' % (where, files[p]['name']))
            if f['kind'] in ('MF', 'ADF') and p != -1:
                rep.error('%s: MF/ADF below another entry' % where)
            if f['kind'] == 'ADF' and not t['base'].startswith('adf:'):
                rep.error('%s: ADF in a template whose base is not adf:' % where)
            fid, last = int(f['fid'], 16), int(f['fid_last'], 16)
            if fid == 0 and not f['params'] & P_FID:
                rep.error('%s: FID 0 but FS_P_FID not set' % where)
            if last and last < fid:
                rep.error('%s: FID range ends before it starts' % where)
            if fid:
                lo, hi = fid, (last or fid)
                for (olo, ohi, oname) in by_dir.setdefault(p, []):
                    if lo <= ohi and olo <= hi:
                        rep.error('%s: FID %04X..%04X overlaps %s in the same directory'
                                  % (where, lo, hi, oname))
                by_dir[p].append((lo, hi, f['name']))
            k = f['kind']
            if k in DIR_KINDS:
                if f['size'] or f['rec_len'] or f['nb_rec'] or f['sfi']:
                    rep.error('%s: directory with size/records/SFI' % where)
                if not f['params'] & P_PIN:
                    rep.error('%s: directory without FS_P_PIN' % where)
            elif k in ('LF', 'CY'):
                if f['rec_len'] and f['nb_rec'] and f['size'] != f['rec_len'] * f['nb_rec']:
                    rep.error('%s: size %d != %d records * %d' % (where, f['size'], f['nb_rec'],
                                                                    f['rec_len']))
                if not f['rec_len'] and not f['params'] & P_SIZE:
                    rep.error('%s: no record length and FS_P_SIZE not set' % where)
                if not f['nb_rec'] and not f['params'] & P_NBREC:
                    rep.error('%s: no record count and FS_P_NBREC not set' % where)
            else:
                if f['rec_len'] or f['nb_rec']:
                    rep.error('%s: records on a non-record EF' % where)
                if not f['size'] and not f['params'] & P_SIZE:
                    rep.error('%s: no size and FS_P_SIZE not set' % where)
            if f['sfi'] > 30:
                rep.error('%s: SFI %d > 30' % (where, f['sfi']))
            if f['arr'] is not None and (not is_hex(f['arr']) or len(f['arr']) not in (2, 6)):
                rep.error('%s: arr %r' % (where, f['arr']))
            if not is_hex(f['fill']) or not f['fill']:
                rep.error('%s: fill %r' % (where, f['fill']))
            if f['content'] is not None:
                if not is_hex(f['content']) or not f['content']:
                    rep.error('%s: content %r' % (where, f['content']))
                unit = f['rec_len'] if k in ('LF', 'CY') else f['size']
                if unit and len(f['content']) // 2 > unit:
                    rep.error('%s: content longer than the file/record' % where)
            pe_only = bool(f['params'] & (P_SIZE | P_NBREC | P_FID | P_AID))
            if pe_only != f['pe_only']:
                rep.error('%s: pe_only does not match params' % where)
        if files and files[0]['kind'] in DIR_KINDS and files[0]['parent'] != -1:
            rep.error('table %s: first directory not at the base' % oid)


# ------------------------------------------------------------------------------------------------
# ASN.1 modules (crude: SEQUENCE member lists and the ProfileElement CHOICE)


def asn_sequences(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'--[^\n]*', '', text)
    out = {}
    for m in re.finditer(r'\n\s*([A-Za-z][\w-]*)\s*::=\s*(SEQUENCE|CHOICE)\s*\{', text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {'{': 1, '}': -1}.get(text[i], 0)
            i += 1
        body = text[m.end():i - 1]
        # top-level components only
        comps, depth, cur = [], 0, ''
        for ch in body:
            if ch in '{(':
                depth += 1
            elif ch in '})':
                depth -= 1
            if ch == ',' and depth == 0:
                comps.append(cur)
                cur = ''
            else:
                cur += ch
        comps.append(cur)
        members = []
        for c in comps:
            w = c.split()
            if not w or w[0] == '...':
                continue
            typ = [x for x in w[1:] if not re.fullmatch(r'\[\d+\]|\[\w+ \d+\]', x)]
            members.append((w[0], typ[0] if typ else ''))
        out[m.group(1)] = members
    return out


# ------------------------------------------------------------------------------------------------
# packages


def ber_items(b):
    i, out = 0, []
    while i < len(b):
        t0 = b[i]
        i += 1
        cls, num = t0 >> 6, t0 & 0x1f
        if num == 0x1f:
            num = 0
            while True:
                x = b[i]
                i += 1
                num = (num << 7) | (x & 0x7f)
                if not x & 0x80:
                    break
        ln = b[i]
        i += 1
        if ln & 0x80:
            n = ln & 0x7f
            ln = int.from_bytes(b[i:i + n], 'big')
            i += n
        out.append((cls, num, b[i:i + ln]))
        i += ln
    return out


FCP_CTX = {2: 'fileDescriptor', 3: 'fileID', 4: 'dfName', 10: 'lcsi',
           11: 'securityAttributesReferenced', 0: 'efFileSize', 8: 'shortEFID',
           5: 'proprietaryEFInfo'}
FCP_PRIV = {6: 'pinStatusTemplateDO', 7: 'linkPath'}


def decode_raw_pe(raw_hex, tca):
    """(alternative, {member: [steps]}, templateID) of a template PE smctl left as _raw."""
    b = bytes.fromhex(raw_hex)
    (cls, num, val), = ber_items(b)[:1]
    alts = tca.get('ProfileElement', [])
    if cls != 2 or num >= len(alts):
        return None
    alt, typ = alts[num]
    members = tca.get(typ)
    if not members or len(members) < 2 or members[1][0] != 'templateID':
        return None  # not a file-system template PE
    pe, oid = {}, None
    for (c2, n2, v2) in ber_items(val):
        if n2 >= len(members):
            continue
        name = members[n2][0]
        if name == 'templateID':
            oid = decode_oid(v2)
            continue
        if n2 == 0:
            continue
        steps = []
        for (c3, n3, v3) in ber_items(v2):
            if n3 == 0:
                steps.append({'doNotCreate': None})
            elif n3 == 1:
                fcp = {}
                for (c4, n4, v4) in ber_items(v3):
                    key = FCP_CTX.get(n4) if c4 == 2 else FCP_PRIV.get(n4) if c4 == 3 else None
                    if key:
                        fcp[key] = v4.hex()
                steps.append({'fileDescriptor': fcp})
            elif n3 == 2:
                steps.append({'fillFileOffset': int.from_bytes(v3, 'big')})
            elif n3 == 3:
                steps.append({'fillFileContent': v3.hex()})
        pe[name] = steps
    pe['templateID'] = oid
    return alt, pe


def decode_oid(b):
    arcs, v = [], 0
    for x in b:
        v = (v << 7) | (x & 0x7f)
        if not x & 0x80:
            arcs.append(v)
            v = 0
    first = min(arcs[0] // 40, 2)
    return '.'.join(str(a) for a in [first, arcs[0] - 40 * first] + arcs[1:])


def load_package(path, smctl):
    if path.endswith('.json'):
        with open(path) as f:
            return json.load(f)
    out = subprocess.run([smctl, 'profile', 'convert', path, '--to', 'json'], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def check_package(path, doc, table, tca, rep, stats):
    name = os.path.basename(path)
    for idx, el in enumerate(doc.get('profileElements', [])):
        (alt, pe), = el.items()
        if alt == '_raw':
            if not tca:
                stats['raw_skipped'] += 1
                continue
            dec = decode_raw_pe(pe, tca)
            if dec is None:
                continue
            alt, pe = dec
            if pe.get('templateID') is None:
                continue
            stats['raw_decoded'] += 1
        if not isinstance(pe, dict) or 'templateID' not in pe:
            continue
        oid = pe['templateID']
        where = '%s PE#%d %s %s' % (name, idx, alt, oid)
        stats['pes'] += 1
        t = table.get(oid)
        if t is None:
            rep.error('%s: template OID not in the table' % where)
            continue
        if t['pe'] != alt:
            rep.error('%s: table has this OID for PE %s' % (where, t['pe']))
        byname = {f['name']: f for f in t['files']}
        for member, steps in pe.items():
            if member == 'templateID' or member.endswith('-header'):
                continue
            stats['members'] += 1
            f = byname.get(member)
            w = '%s %s' % (where, member)
            if f is None:
                rep.error('%s: member not in the table for this OID' % w)
                continue
            if not isinstance(steps, list):
                continue
            if any('doNotCreate' in s for s in steps) and not f['by_default']:
                rep.error('%s: doNotCreate in a not-created-by-default template' % w)
            fcps = [s['fileDescriptor'] for s in steps if 'fileDescriptor' in s]
            fcp = fcps[0] if fcps else {}
            compare_fcp(w, f, fcp, rep, stats)


def compare_fcp(w, f, fcp, rep, stats):
    fid, last = int(f['fid'], 16), int(f['fid_last'], 16)
    tag = ' (uncertain entry)' if f['uncertain'] else ''
    if 'fileID' in fcp:
        stats['fids'] += 1
        pfid = int(fcp['fileID'], 16)
        if f['kind'] == 'ADF' or (fid == 0 and f['params'] & P_FID):
            pass  # temporary FID / FID chosen by the PE
        elif last:
            if not fid <= pfid <= last:
                rep.error('%s: fileID %04X outside the template range %04X..%04X' % (w, pfid, fid,
                                                                                     last))
        elif pfid != fid:
            rep.error('%s: fileID %04X, table %04X%s' % (w, pfid, fid, tag))
        else:
            stats['fid_ok'] += 1
    elif f['params'] & P_FID:
        rep.error('%s: the template leaves the FID to the PE, which gives none' % w)
    if f['kind'] == 'ADF' and 'dfName' not in fcp:
        rep.error('%s: ADF without dfName' % w)
    fd = fcp.get('fileDescriptor')
    if fd:
        fdb = int(fd[:2], 16) & 0x3f  # TS 102 221 11.1.1.4.3 file descriptor byte
        if fdb == 0x39:
            pk = 'BT'
        elif fdb == 0x38:
            pk = 'DF'
        else:
            pk = KIND_BY_FDB.get(fdb & 0x07)
        tk = f['kind']
        if pk == 'DF':
            if tk not in DIR_KINDS:
                rep.error('%s: PE says DF, table %s' % (w, tk))
        elif pk and pk != tk:
            rep.error('%s: PE file type %s, table %s%s' % (w, pk, tk, tag))
        if len(fd) >= 8 and tk in ('LF', 'CY'):
            prl = int(fd[4:8], 16)
            if f['rec_len'] and prl != f['rec_len']:
                stats['overrides'] += 1
                rep.info('%s: record length %d, template %d (PE override)' % (w, prl,
                                                                            f['rec_len']))
    if 'efFileSize' in fcp and f['kind'] not in DIR_KINDS:
        psz = int(fcp['efFileSize'], 16)
        if f['size'] and psz != f['size']:
            stats['overrides'] += 1
            rep.info('%s: efFileSize %d, template %d (PE override)' % (w, psz, f['size']))
    elif f['kind'] not in DIR_KINDS and f['params'] & (P_SIZE | P_NBREC) and 'linkPath' not in fcp:
        msg = '%s: the template leaves the size to the PE, which gives no efFileSize' % w
        if f['uncertain']:
            rep.warn(msg + tag)
        else:
            rep.error(msg)


# ------------------------------------------------------------------------------------------------


def find_smctl(arg):
    for c in [arg, os.environ.get('SMCTL'), '/tmp/build-main/bin/smctl', '/tmp/build-tt/bin/smctl',
              os.path.join(ROOT, 'build', 'bin', 'smctl')]:
        if c and os.access(c, os.X_OK):
            return c
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('packages', nargs='*', help='.der or JSON-form packages (default: the TS.48 '
                    'profiles in /work/shared/reference/profiles)')
    ap.add_argument('--src', default=os.path.join(HERE, 'fs_templates.c'))
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'))
    ap.add_argument('--smctl', help='smctl binary for converting DER (default: search)')
    ap.add_argument('--project-asn', default=os.path.join(ROOT, 'asn1', 'saip.asn'))
    ap.add_argument('--tca-asn', default='/work/shared/reference/asn1/PE_Definitions-3.3.1.asn',
                    help='published TCA module, read to decode PEs smctl leaves as _raw')
    ap.add_argument('-v', '--verbose', action='store_true', help='list PE overrides too')
    args = ap.parse_args()

    rep = Report(args.verbose)
    tpls = load_table(args.src, args.cc)
    table = {t['oid']: t for t in tpls}
    nfiles = sum(len(t['files']) for t in tpls)
    print('table: %d templates, %d file entries (%d uncertain)' % (
        len(tpls), nfiles, sum(f['uncertain'] for t in tpls for f in t['files'])))
    check_table(tpls, rep)

    # member names against the project's module
    if os.path.exists(args.project_asn):
        with open(args.project_asn) as fh:
            proj = asn_sequences(fh.read())
        alts = dict(proj.get('ProfileElement', []))
        for t in tpls:
            typ = alts.get(t['pe'])
            if typ is None:
                rep.info('asn1/saip.asn does not describe PE %s (%s): simulator cannot see it yet'
                         % (t['pe'], t['oid']))
                continue
            members = [m for m, _ in proj.get(typ, []) if m != 'templateID' and
                       not m.endswith('-header')]
            names = [f['name'] for f in t['files']]
            for n in names:
                if n not in members:
                    rep.error('table %s: %s is not a member of %s in asn1/saip.asn' % (
                        t['oid'], n, typ))
            missing = [m for m in members if m not in names]
            if missing:
                rep.info('%s (%s) lacks members of %s: %s' % (t['oid'], t['pe'], typ,
                                                              ' '.join(missing)))
    tca = None
    if args.tca_asn and os.path.exists(args.tca_asn):
        with open(args.tca_asn) as fh:
            tca = asn_sequences(fh.read())

    packages = args.packages or sorted(glob.glob('/work/shared/reference/profiles/*.der'))
    smctl = find_smctl(args.smctl)
    stats = dict(pes=0, members=0, fids=0, fid_ok=0, overrides=0, raw_decoded=0, raw_skipped=0)
    for p in packages:
        if not p.endswith('.json') and smctl is None:
            rep.error('%s: no smctl to convert DER (give --smctl)' % p)
            continue
        try:
            doc = load_package(p, smctl)
        except (subprocess.CalledProcessError, ValueError) as e:
            rep.error('%s: cannot read: %s' % (p, e))
            continue
        check_package(p, doc, table, tca, rep, stats)
    print('packages: %d; template PEs: %d (%d decoded from _raw); members: %d; fileIDs compared: '
          '%d (%d equal, rest PE-chosen); PE overrides of size/record length: %d' % (
              len(packages), stats['pes'], stats['raw_decoded'], stats['members'], stats['fids'],
              stats['fid_ok'], stats['overrides']))
    if stats['raw_skipped']:
        print('note: %d _raw PEs not decoded (no --tca-asn)' % stats['raw_skipped'])
    for m in rep.infos if args.verbose else [m for m in rep.infos if 'PE override' not in m]:
        print('INFO  ' + m)
    for m in rep.warnings:
        print('WARN  ' + m)
    for m in rep.errors:
        print('ERROR ' + m)
    print('%d errors, %d warnings' % (len(rep.errors), len(rep.warnings)))
    return 1 if rep.errors else 0


if __name__ == '__main__':
    sys.exit(main())
