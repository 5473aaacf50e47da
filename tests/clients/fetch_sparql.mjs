// Query a SPARQL endpoint with fetch-sparql-endpoint (a JavaScript client from npm): a SELECT,
// an ASK and a CONSTRUCT. Run by tests/test_clients.py; prints one JSON report on stdout.
//
//   node tests/clients/fetch_sparql.mjs ENDPOINT SELECT_QUERY ASK_QUERY CONSTRUCT_QUERY
//
// Each binding and triple is printed as plain JSON terms ({termType, value, language}).
import { SparqlEndpointFetcher } from "fetch-sparql-endpoint";

const [endpoint, select, ask, construct] = process.argv.slice(2);
if (!endpoint || !select || !ask || !construct) {
  console.error("usage: node fetch_sparql.mjs ENDPOINT SELECT ASK CONSTRUCT");
  process.exit(2);
}

const term = (t) => ({ termType: t.termType, value: t.value, language: t.language ?? "" });

function collect(stream, map) {
  return new Promise((resolve, reject) => {
    const out = [];
    stream.on("data", (item) => out.push(map(item)));
    stream.on("error", reject);
    stream.on("end", () => resolve(out));
  });
}

// The timeout bounds connecting; the whole script is bounded by the test's subprocess timeout.
const fetcher = new SparqlEndpointFetcher({ timeout: 30_000 });
const bindings = await fetcher.fetchBindings(endpoint, select);
const rows = await collect(bindings, (b) =>
  Object.fromEntries(Object.entries(b).map(([name, value]) => [name, term(value)])),
);
const answer = await fetcher.fetchAsk(endpoint, ask);
const triples = await collect(await fetcher.fetchTriples(endpoint, construct), (q) => ({
  subject: term(q.subject),
  predicate: term(q.predicate),
  object: term(q.object),
}));
console.log(JSON.stringify({ rows, ask: answer, triples }));
