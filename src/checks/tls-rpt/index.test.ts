import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './index.ts';
import { startAuthLab, SOA, type AuthLab } from '../../../test/auth-checks-lab.ts';

const ZONE = `$ORIGIN example.
${SOA}
_smtp._tls.good TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.example,https://reports.example/v1"
_smtp._tls.good TXT "google-site-verification=unrelated"
good A 192.0.2.1
none A 192.0.2.2
_smtp._tls.twice TXT "v=TLSRPTv1; rua=mailto:a@twice.example"
_smtp._tls.twice TXT "v=TLSRPTv1; rua=mailto:b@twice.example"
_smtp._tls.broken TXT "v=TLSRPTv1; rua=http://reports.example/x"
_smtp._tls.faulty TXT "v=TLSRPTv1; rua=mailto:a@faulty.example"
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([ZONE]); });
after(() => lab.close());

const first = async (domain: string) => {
  const r = await run(lab.context(), domain);
  return { status: r.status, id: r.findings[0]?.id, severity: r.findings[0]?.severity, r };
};

test('a valid record is found; unrelated TXT beside it is ignored', async () => {
  const { status, id, r } = await first('good.example');
  assert.deepEqual([status, id], ['ok', 'tls-rpt.found']);
  assert.equal(r.data.record?.rua.length, 2);
  assert.equal(r.findings[0]?.dns?.length, 1);
});

test('no record is reported as missing (info)', async () => {
  assert.deepEqual(Object.values(await first('none.example')).slice(0, 3), ['info', 'tls-rpt.missing', 'info']);
});

test('two records: senders assume no TLS-RPT', async () => {
  assert.equal((await first('twice.example')).id, 'tls-rpt.multiple-records');
});

test('http: reporting URI is invalid', async () => {
  const { id, status } = await first('broken.example');
  assert.deepEqual([id, status], ['tls-rpt.invalid', 'error']);
});

test('SERVFAIL and timeout give unknown, never missing', async () => {
  for (const action of ['servfail', 'drop'] as const) {
    lab.faults([{ name: '_smtp._tls.faulty.example', action }]);
    try {
      const { status, id } = await first('faulty.example');
      assert.deepEqual([status, id], ['unknown', 'tls-rpt.lookup-failed'], action);
    } finally {
      lab.faults([]);
    }
  }
  assert.equal((await first('faulty.example')).id, 'tls-rpt.found');
});
