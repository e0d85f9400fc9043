import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toKubernetesYaml } from '../../src/render/yaml.js';

const dir = mkdtempSync(join(tmpdir(), 'kjb-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Strings each YAML reader (go-yaml 1.1 rules, `yaml` 1.2 rules) could read as something else. */
const TRICKY = [
  'yes', 'No', 'on', 'OFF', 'y', 'N', 'true', 'null', 'Null', '~', '', ' ', ' lead', 'trail ',
  '0o17', '0x1F', '0777', '1_000', '1:20', '1e3', '.inf', '-.Inf', '.NaN', '2001-12-14', '+1',
  '<<', '=', '-', '- x', '? x', ': x', 'a: b', 'a #b', '#c', '|', '>', '|-\n x', '{a: b}', '[a]', ',',
  '&anchor', '*alias', '!!python/object/apply:os.system ["touch pwned"]', '!tag', '%YAML 1.1', '---', '...',
  '@x', '`x', '"', "'", '\\', '\\n', 'a\nb', 'a\n', '\r\n', '\t', '\0', '\x07', '\x1b[31m', '\x7f', '\x80',
  '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff', 'é', 'ǅ', '😀', 'a:', 'https://x:1/',
];

describe('toKubernetesYaml', () => {
  it.each([
    ['kubernetes', 'v: kubernetes\n'],
    ['https://10.0.0.1:6443', 'v: https://10.0.0.1:6443\n'],
    ['tls-bootstrap-token-user@prod', 'v: tls-bootstrap-token-user@prod\n'],
    ['LS0tLS1CRUdJTg==', 'v: LS0tLS1CRUdJTg==\n'],
    ['/run/x.yaml', 'v: /run/x.yaml\n'],
    ['yes', 'v: "yes"\n'],
    ['0o17', 'v: "0o17"\n'],
    ['a: b', 'v: "a: b"\n'],
    ['a\nb', 'v: "a\\nb"\n'],
    ['"\\', 'v: "\\"\\\\"\n'],
    ['\x7f', 'v: "\\x7f"\n'],
    ['\u2028', 'v: "\\u2028"\n'],
    ['é', 'v: "\\xe9"\n'],
    ['😀', 'v: "\\U0001f600"\n'],
  ])('writes %j as %j', (value, text) => {
    expect(toKubernetesYaml({ v: value })).toBe(text);
  });

  it('writes only printable ASCII and newlines', () => {
    expect(toKubernetesYaml({ v: TRICKY })).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it.each(TRICKY)('%j parses back verbatim under YAML 1.2 and 1.1', (value) => {
    const text = toKubernetesYaml({ v: value, list: [value], nested: { [value]: value } });
    for (const version of ['1.2', '1.1'] as const) {
      expect(parse(text, { version })).toEqual({ v: value, list: [value], nested: { [value]: value } });
    }
  });

  it('round-trips any string under YAML 1.2 and 1.1 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const text = toKubernetesYaml({ v: value });
        expect(parse(text)).toEqual({ v: value });
        expect(parse(text, { version: '1.1' })).toEqual({ v: value });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an unpaired surrogate', () => {
    expect(() => toKubernetesYaml({ v: 'a\ud800' })).toThrowError(expect.objectContaining({ code: 'unrepresentable_value' }));
  });

  /** go-yaml is what kubectl, kubeadm and the kubelet read with: check it reads every value back. */
  const kubectlReadsBack = (values: readonly string[]): void => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      toKubernetesYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: values.map((value, i) => ({ name: `c${i}`, cluster: { server: `https://s${i}`, 'tls-server-name': value } })),
        users: values.map((value, i) => ({ name: `u${i}`, user: { token: value } })),
      }),
    );
    const out = JSON.parse(
      execFileSync('kubectl', ['config', 'view', '--kubeconfig', file, '--raw', '-o', 'json'], {
        env: { PATH: process.env.PATH, HOME: dir },
        encoding: 'utf8',
      }),
    ) as { clusters: { name: string; cluster: { 'tls-server-name'?: string } }[]; users: { name: string; user: { token?: string } }[] };
    const servers = new Map(out.clusters.map((c) => [c.name, c.cluster['tls-server-name'] ?? '']));
    const tokens = new Map(out.users.map((u) => [u.name, u.user.token ?? '']));
    values.forEach((value, i) => {
      expect(servers.get(`c${i}`), `tls-server-name ${JSON.stringify(value)}`).toBe(value);
      expect(tokens.get(`u${i}`), `token ${JSON.stringify(value)}`).toBe(value);
    });
  };

  it('kubectl (go-yaml) reads every tricky string back verbatim', () => {
    kubectlReadsBack(TRICKY);
  });

  it('kubectl (go-yaml) reads arbitrary strings back verbatim (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 40 }), (values) => {
        kubectlReadsBack(values);
      }),
      { numRuns: 25 },
    );
  });
});
