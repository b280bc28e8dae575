#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise bench/guest.sh records: a table on stdout, JSON to --out."""
import argparse
import datetime
import json
import statistics
import sys


def records(paths):
    for path in paths:
        try:
            lines = open(path).read().splitlines()
        except OSError as e:
            print(f"report: {e}", file=sys.stderr)
            continue
        for line in lines:
            kind, _, rest = line.partition(' ')
            kv = dict(w.split('=', 1) for w in rest.split() if '=' in w)
            yield kind, kv


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def mmm(v):
    return {'min': min(v), 'median': statistics.median(v), 'max': max(v)} \
        if v else None


def fmt3(d, f='{:.4f}'):
    return '/'.join(f.format(d[k]) for k in ('min', 'median', 'max')) \
        if d else '-'


def overhead_table(over, out, cap, bare, full):
    """Print and store full/none and full/bare for one capture backend."""
    rows = [(w, r) for w, r in over.items()
            if any(x.get(full) for x in r.values())]
    if not rows:
        return
    print(f'\n## Hot-path throughput, capture {cap} (ops/s medians; ratios '
          'min/median/max over rounds)')
    print(f"{'workload':10} {'none':>10} {bare:>10} {full:>10} "
          f"{'full/none':>22} {'full/bare':>22} {'cost full:bare':>14}")
    for w, rounds in rows:
        by = {c: [r[c] for r in rounds.values() if r.get(c)]
              for c in ('none', bare, full)}
        fn = [r[full] / r['none'] for r in rounds.values()
              if r.get(full) and r.get('none')]
        fb = [r[full] / r[bare] for r in rounds.values()
              if r.get(full) and r.get(bare)]
        bn = [r[bare] / r['none'] for r in rounds.values()
              if r.get(bare) and r.get('none')]
        med = {c: statistics.median(v) if v else None for c, v in by.items()}
        cf = 1 - statistics.median(fn) if fn else None
        cb = 1 - statistics.median(bn) if bn else None
        rel = cf / cb if cf is not None and cb and cb > 0 else None
        out.setdefault(w, {})[cap] = {
            'ops_per_sec': {c: mmm(v) for c, v in by.items()},
            'full_over_none': mmm(fn), 'full_over_bare': mmm(fb),
            'bare_over_none': mmm(bn), 'cost_full': cf, 'cost_bare': cb,
            'cost_full_over_cost_bare': rel, 'rounds': len(rounds)}
        print(f"{w:10} " + ' '.join(
            f"{med[c]:10.5g}" if med[c] else f"{'-':>10}"
            for c in ('none', bare, full)) +
            f" {fmt3(mmm(fn)):>22} {fmt3(mmm(fb)):>22} "
            f"{(f'{rel:.2f}' if rel is not None else '-'):>14}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out')
    ap.add_argument('--command', default='make bench')
    ap.add_argument('raw', nargs='+')
    a = ap.parse_args()

    meta, over, lookups, mem, reads = {}, {}, [], [], []
    for kind, kv in records(a.raw):
        if kind == 'meta':
            meta[kv.pop('phase')] = kv
        elif kind == 'overhead':
            over.setdefault(kv['workload'], {}).setdefault(
                int(kv['round']), {})[kv['config']] = num(kv['value'])
        elif kind == 'lookup':
            lookups.append(kv)
        elif kind == 'memory':
            mem.append(kv)
        elif kind == 'read':
            reads.append(kv)

    res = {'date': datetime.date.today().isoformat(), 'command': a.command,
           'guest': 'QEMU TCG thread=single, -smp 1, '
                    '-icount shift=0,align=off,sleep=off, 2048M',
           'meta': meta}
    m = next(iter(meta.values()), {})
    print(f"# shadow_rmap bench {res['date']}: kernel {m.get('kernel', '?')}, "
          f"guest CPUs {m.get('cpus', '?')}, "
          f"rounds {meta.get('overhead', {}).get('rounds', '-')}")

    if over:
        res['overhead'] = {}
        for cap, bare, full in (('ftrace_ops', 'bare', 'full'),
                                ('kprobes_only=1', 'bare-kp', 'full-kp')):
            overhead_table(over, res['overhead'], cap, bare, full)

    if lookups:
        print('\n## pfn lookup latency (median µs, guest time)')
        print(f"{'sharers':>7} {'module':>10} {'rmap_walk':>10} "
              f"{'pagemap':>12} {'mod/rmap':>9} {'pagemap/mod':>12} found")
        by = {}
        for kv in lookups:
            by.setdefault(int(kv['sharers']), {})[kv['method']] = kv
        res['lookup'] = {}
        for n in sorted(by):
            d = by[n]
            med = {k: num(v['median_us']) for k, v in d.items()}
            mo, km, pm = med.get('module'), med.get('kmod'), \
                med.get('pagemap')
            res['lookup'][n] = {
                k: {f: num(v[f]) for f in ('min_us', 'median_us', 'max_us',
                                           'reps', 'found')}
                for k, v in d.items()}
            res['lookup'][n]['module_over_rmap_walk'] = \
                mo / km if mo and km else None
            res['lookup'][n]['pagemap_over_module'] = \
                pm / mo if mo and pm else None
            found = ','.join(f"{k}={v['found']}" for k, v in d.items())
            print(f"{n:7} {mo or 0:10.1f} {km or 0:10.1f} {pm or 0:12.1f} "
                  f"{(mo / km if mo and km else 0):9.2f} "
                  f"{(pm / mo if mo and pm else 0):12.1f} {found}")

    if mem:
        print('\n## Memory: shadow bytes vs kernel anon_vma + anon_vma_chain '
              'slab (active_objs * objsize)')
        print(f"{'label':14} {'avcs':>8} {'anon_vmas':>9} {'vmas':>7} "
              f"{'mms':>5} {'shadow':>10} {'kernel':>10} {'shadow/kern':>11} "
              f"{'B/link sh':>9} {'B/link k':>8} {'log fixed':>10}")
        res['memory'] = []
        for kv in mem:
            k = int(kv['av_slab']) + int(kv['avc_slab'])
            sh, links = int(kv['bytes']), int(kv['avcs'])
            objs = links + int(kv['anon_vmas']) + int(kv['vmas']) + \
                int(kv['mms'])
            row = {f: (int(v) if v.isdigit() else v) for f, v in kv.items()}
            row.update(kernel_bytes=k, shadow_over_kernel=sh / k,
                       shadow_bytes_per_link=sh / links,
                       kernel_bytes_per_link=k / int(kv['avc_active']),
                       shadow_bytes_per_object=sh / objs)
            res['memory'].append(row)
            print(f"{kv['label']:14} {links:8} {kv['anon_vmas']:>9} "
                  f"{kv['vmas']:>7} {kv['mms']:>5} {sh:10} {k:10} "
                  f"{sh / k:11.2f} {sh / links:9.1f} "
                  f"{k / int(kv['avc_active']):8.1f} "
                  f"{kv.get('log_bytes', '-'):>10}")

    if reads:
        print('\n## Node reads (whole file, µs guest time)')
        print(f"{'label':14} {'avcs':>8} {'node':7} {'bytes':>9} "
              f"{'median_us':>11} {'max_us':>11} {'rwsem_max_us':>12} "
              f"{'log_max_us':>10}")
        res['reads'] = []
        for kv in reads:
            res['reads'].append({f: (num(v) if num(v) is not None else v)
                                 for f, v in kv.items()})
            hr, hl = num(kv.get('hold_rwsem_ns')), num(kv.get('hold_log_ns'))
            print(f"{kv['label']:14} {kv['avcs']:>8} {kv['node']:7} "
                  f"{kv['bytes']:>9} {kv['median_us']:>11} "
                  f"{kv['max_us']:>11} "
                  f"{(hr or 0) / 1000:12.1f} {(hl or 0) / 1000:10.1f}")

    if a.out:
        with open(a.out, 'w') as f:
            json.dump(res, f, indent=1, sort_keys=True)
        print(f"\nresults: {a.out}")
    return 0 if (over or lookups or mem) else 1


if __name__ == '__main__':
    sys.exit(main())
