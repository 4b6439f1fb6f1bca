// A third-party FHIR client against the Shared Care Record, as an integrator would use it: fhir-kit-client for
// the FHIR API, Node's own crypto for a SMART Backend Services client assertion. Run by ThirdPartyClientIT.
// Settings come from the environment; it prints one line per step and exits non-zero on the first failure.
import { Client } from 'fhir-kit-client';
import { createPrivateKey, createSign, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const FHIR_BASE = env('FHIR_BASE');
const TOKEN_ENDPOINT = env('TOKEN_ENDPOINT');
const step = (text) => console.log(`ok ${text}`);
const fail = (text) => { throw new Error(text); };

async function token(form) {
  const response = await fetch(TOKEN_ENDPOINT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const body = await response.json();
  if (!response.ok) fail(`token endpoint refused: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** SMART Backend Services: a JWT signed with the client's own private key (RS384) as its credential. */
function clientAssertion(clientId, jwk) {
  const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = base64url({ alg: 'RS384', typ: 'JWT', kid: jwk.kid });
  const claims = base64url({ iss: clientId, sub: clientId, aud: TOKEN_ENDPOINT, jti: randomUUID(), iat: now,
    exp: now + 240 });
  const signer = createSign('RSA-SHA384');
  signer.update(`${header}.${claims}`);
  const signature = signer.sign(createPrivateKey({ key: jwk, format: 'jwk' })).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

async function main() {
  const ehrToken = await token({ grant_type: 'client_credentials', client_id: env('EHR_CLIENT_ID'),
    client_secret: env('EHR_CLIENT_SECRET') });
  const ehr = new Client({ baseUrl: FHIR_BASE, bearerToken: ehrToken });

  const metadata = await ehr.capabilityStatement();
  if (metadata.fhirVersion !== '4.0.1') fail(`fhirVersion ${metadata.fhirVersion}`);
  step(`metadata: ${metadata.software?.name} ${metadata.software?.version}`);

  const patientUrl = `urn:uuid:${randomUUID()}`;
  const entries = [{
    fullUrl: patientUrl,
    resource: { resourceType: 'Patient',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: env('NHS_NUMBER') }],
      name: [{ family: 'Kitclient', given: ['Ada'] }], birthDate: '1960-02-03',
      generalPractitioner: [{ identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code',
        value: env('PRACTICE') } }] },
    request: { method: 'POST', url: 'Patient' },
  }];
  for (let i = 0; i < 3; i++) {
    entries.push({ fullUrl: `urn:uuid:${randomUUID()}`,
      resource: { resourceType: 'Observation', status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
        subject: { reference: patientUrl }, effectiveDateTime: new Date().toISOString() },
      request: { method: 'POST', url: 'Observation' } });
  }
  const written = await ehr.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry: entries } });
  const locations = written.entry.map((entry) => entry.response.location);
  if (!locations.every((location, i) => location && entry201(written.entry[i]))) fail('transaction entries');
  const patientId = locations[0].split('/')[1];
  step(`transaction: ${locations.length} resources created`);

  const patient = await ehr.read({ resourceType: 'Patient', id: patientId });
  if (patient.name?.[0]?.family !== 'Kitclient') fail('read the wrong patient');
  step(`read: Patient/${patientId}`);

  let page = await ehr.search({ resourceType: 'Observation',
    searchParams: { subject: `Patient/${patientId}`, _count: 1 } });
  let pages = 0;
  let found = 0;
  while (page) {
    pages++;
    found += (page.entry ?? []).length;
    page = await ehr.nextPage({ bundle: page });
  }
  if (found !== 3 || pages !== 3) fail(`paged search found ${found} on ${pages} pages`);
  step(`paged search: ${found} observations on ${pages} pages, to the end`);

  const bulkToken = await token({ grant_type: 'client_credentials', scope: 'system/*.rs',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion(env('BULK_CLIENT_ID'), JSON.parse(readFileSync(env('BULK_KEY_FILE'), 'utf8'))) });
  const bulkHeaders = { Authorization: `Bearer ${bulkToken}`, 'X-Purpose-Of-Use': 'HOPERAT' };
  const kickOff = await fetch(`${FHIR_BASE}/$export?month=${env('MONTH')}`, {
    headers: { ...bulkHeaders, Accept: 'application/fhir+json', Prefer: 'respond-async' } });
  if (kickOff.status !== 202) fail(`kick-off answered ${kickOff.status}: ${await kickOff.text()}`);
  const statusUrl = kickOff.headers.get('content-location');
  step('bulk kick-off: 202, Content-Location given');

  let status;
  for (let polls = 0; polls < 300; polls++) {
    status = await fetch(statusUrl, { headers: bulkHeaders });
    if (status.status !== 202) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (status.status !== 200) fail(`status answered ${status.status}`);
  if (status.headers.get('expires')) fail(`the manifest says its files expire: ${status.headers.get('expires')}`);
  const manifest = await status.json();
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(manifest.transactionTime)) fail('transactionTime');
  let lines = 0;
  for (const output of manifest.output) {
    const file = await fetch(output.url, { headers: bulkHeaders });
    const text = await file.text();
    const count = text.split('\n').filter((line) => line.length > 0).length;
    if (!file.ok || count !== output.count) fail(`${output.type}: ${count} lines, manifest says ${output.count}`);
    lines += count;
  }
  if (!manifest.output.some((output) => output.type === 'Patient')) fail('no Patient file in the extract');
  step(`bulk: ${manifest.output.length} NDJSON files, ${lines} resources, counts as the manifest says`);
}

function entry201(entry) {
  return entry.response?.status?.startsWith('201');
}

main().catch((error) => {
  console.error(`FAILED ${error.message}`);
  process.exit(1);
});
