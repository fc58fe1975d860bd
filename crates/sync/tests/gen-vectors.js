// Prints test vectors produced by the real @actual-app/crdt package (the one
// @actual-app/api 26.9.0 uses), as JSON on stdout.
//
//   node crates/sync/tests/gen-vectors.js > crates/sync/tests/fixtures/vectors.json
//
// Deterministic: no randomness, Date.now is replaced where the clock is used.
'use strict';

const path = require('path');

async function main() {
  const crdtDir = path.resolve(__dirname, '../../../node_modules/@actual-app/crdt');
  const crdt = await import(path.join(crdtDir, 'dist/index.js'));
  const murmurhash = require(require.resolve('murmurhash', { paths: [crdtDir] }));
  const { Timestamp, merkle } = crdt;

  // A small deterministic PRNG (mulberry32).
  let seed = 0x5eed1234;
  function rand() {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  const hex = n =>
    Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

  // --- murmurhash v3 (seed 0) on UTF-8 strings
  const murmurInputs = [
    '',
    'a',
    'ab',
    'abc',
    'abcd',
    'abcde',
    'hello world',
    'é',
    '€uro',
    '日本語テキスト',
    '😀 emoji',
    '2026-11-29T02:52:35.069Z-0011-82c2114f0e49588c',
    '1970-01-01T00:00:00.000Z-0000-0000000000000000',
  ];
  const murmur = murmurInputs.map(input => ({ input, v3: murmurhash.v3(input) }));

  // --- timestamp parse / format
  const parseInputs = [
    '2026-11-29T02:52:35.069Z-0011-82c2114f0e49588c',
    '1970-01-01T00:00:00.000Z-0000-0000000000000000',
    '9999-12-31T23:59:59.999Z-FFFF-FFFFFFFFFFFFFFFF',
    '2020-02-29T12:00:00.000Z-00ff-abc',
    '2020-02-29T12:00:00.000Z-0000-',
    '2021-06-01T08:30:15.123Z-ffff-1234567890abcdef',
    '2021-06-01T08:30:15.123Z-10000-1234567890abcdef',
    '2021-06-01T08:30:15.123Z-0000-1234567890abcdef0',
    '2021-06-01T08:30:15.123Z-zz00-1234567890abcdef',
    '2021-06-01T08:30:15.123Z-0001',
    'not a timestamp',
    '',
    '2021-13-01T08:30:15.123Z-0000-1234567890abcdef',
    '1969-12-31T23:59:59.999Z-0000-1234567890abcdef',
  ];
  const parse = parseInputs.map(input => {
    const ts = Timestamp.parse(input);
    return ts
      ? {
          input,
          millis: ts.millis(),
          counter: ts.counter(),
          node: ts.node(),
          string: ts.toString(),
          hash: ts.hash(),
        }
      : { input, invalid: true };
  });

  // --- clock send/recv with a fixed physical time
  const realNow = Date.now;
  function runClock(start, ops, maxDrift) {
    Timestamp.init({ maxDrift: maxDrift || 300000, node: start.node });
    const clock = crdt.getClock();
    clock.timestamp.setMillis(start.millis);
    clock.timestamp.setCounter(start.counter);
    const out = [];
    for (const op of ops) {
      Date.now = () => op.now;
      try {
        const r =
          op.op === 'send'
            ? Timestamp.send()
            : Timestamp.recv(Timestamp.parse(op.msg));
        out.push({ ...op, result: r.toString() });
      } catch (e) {
        out.push({ ...op, error: e.name });
      }
    }
    Date.now = realNow;
    return { start, maxDrift: maxDrift || 300000, ops: out };
  }
  const T = 1800000000000;
  const clock = [
    runClock({ millis: 0, counter: 0, node: '82c2114f0e49588c' }, [
      { op: 'send', now: T },
      { op: 'send', now: T },
      { op: 'send', now: T - 5 },
      { op: 'send', now: T + 1 },
      { op: 'recv', msg: new Timestamp(T + 1, 7, 'aaaaaaaaaaaaaaaa').toString(), now: T + 1 },
      { op: 'recv', msg: new Timestamp(T + 100, 3, 'aaaaaaaaaaaaaaaa').toString(), now: T + 1 },
      { op: 'recv', msg: new Timestamp(T, 9, 'aaaaaaaaaaaaaaaa').toString(), now: T + 200 },
      { op: 'recv', msg: new Timestamp(T, 9, 'aaaaaaaaaaaaaaaa').toString(), now: T + 200 },
      { op: 'recv', msg: new Timestamp(T + 300001 + 300, 0, 'aaaaaaaaaaaaaaaa').toString(), now: T + 300 },
      { op: 'recv', msg: new Timestamp(T + 300000 + 300, 0, 'aaaaaaaaaaaaaaaa').toString(), now: T + 300 },
      { op: 'send', now: T + 300 },
      { op: 'send', now: T - 1 },
    ]),
    runClock({ millis: T, counter: 0xfffe, node: '0000000000000001' }, [
      { op: 'send', now: T },
      { op: 'send', now: T },
      { op: 'recv', msg: new Timestamp(T, 0xffff, 'bbbbbbbbbbbbbbbb').toString(), now: T },
    ]),
    runClock({ millis: T, counter: 0, node: 'c0ffee' }, [
      { op: 'recv', msg: new Timestamp(T - 10, 0xffff, 'bbbbbbbbbbbbbbbb').toString(), now: T },
      { op: 'recv', msg: new Timestamp(T + 10, 0xffff, 'bbbbbbbbbbbbbbbb').toString(), now: T },
      { op: 'send', now: T + 20 },
    ]),
    runClock(
      { millis: T + 1000, counter: 0, node: '1111111111111111' },
      [
        { op: 'send', now: T },
        { op: 'send', now: T + 500 },
        { op: 'recv', msg: new Timestamp(T + 900, 0, 'bbbbbbbbbbbbbbbb').toString(), now: T + 500 },
      ],
      100,
    ),
  ];

  // --- merkle insert / prune / diff
  function randomTimestamps(n, base, spreadMinutes) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const millis = base + Math.floor(rand() * spreadMinutes * 60000);
      out.push(new Timestamp(millis, Math.floor(rand() * 4), hex(16)).toString());
    }
    return out;
  }
  const base = Date.UTC(2026, 10, 1);
  const setA = randomTimestamps(40, base, 60 * 24 * 30);
  const setB = randomTimestamps(25, base, 60 * 24 * 30);
  const early = [
    '1970-01-01T00:00:00.000Z-0000-0000000000000000',
    '1970-01-01T00:05:00.000Z-0001-0000000000000001',
    '1990-03-01T10:00:00.000Z-0000-00000000000000aa',
  ];

  function build(list) {
    let trie = merkle.emptyTrie();
    for (const s of list) trie = merkle.insert(trie, Timestamp.parse(s));
    return trie;
  }
  const trieA = build(setA);
  const trieAB = build([...setA, ...setB]);
  const trieEarly = build(early);
  const insertSteps = [];
  {
    let trie = merkle.emptyTrie();
    for (const s of setA.slice(0, 4)) {
      trie = merkle.insert(trie, Timestamp.parse(s));
      insertSteps.push({ insert: s, trie: JSON.stringify(trie) });
    }
  }
  const prunedA = merkle.prune(trieA);
  const prunedAB = merkle.prune(trieAB);
  const merkleVectors = {
    setA,
    setB,
    early,
    insertSteps,
    trieA: JSON.stringify(trieA),
    trieAB: JSON.stringify(trieAB),
    trieEarly: JSON.stringify(trieEarly),
    prunedA: JSON.stringify(prunedA),
    prunedAB: JSON.stringify(prunedAB),
    prunedA3: JSON.stringify(merkle.prune(trieA, 3)),
    prunedA1: JSON.stringify(merkle.prune(trieA, 1)),
    // The way applyMessages keeps it: insert then prune after each batch.
    incrementalPruned: (() => {
      let trie = {};
      for (let i = 0; i < setA.length; i += 7) {
        for (const s of setA.slice(i, i + 7)) trie = merkle.insert(trie, Timestamp.parse(s));
        trie = merkle.prune(trie);
      }
      return JSON.stringify(trie);
    })(),
    diffs: [
      ['trieA', 'trieAB', merkle.diff(trieA, trieAB)],
      ['trieAB', 'trieA', merkle.diff(trieAB, trieA)],
      ['trieA', 'trieA', merkle.diff(trieA, trieA)],
      ['prunedA', 'prunedAB', merkle.diff(prunedA, prunedAB)],
      ['prunedAB', 'trieA', merkle.diff(prunedAB, trieA)],
      ['empty', 'trieA', merkle.diff(merkle.emptyTrie(), trieA)],
      ['trieA', 'empty', merkle.diff(trieA, merkle.emptyTrie())],
      ['trieEarly', 'trieA', merkle.diff(trieEarly, trieA)],
      ['trieEarly', 'empty', merkle.diff(trieEarly, merkle.emptyTrie())],
    ],
    keyToTimestamp: ['', '1', '12', '2012', '1202120121012210'].map(k => [
      k,
      merkle.keyToTimestamp(k),
    ]),
  };

  // --- clock serialisation as stored in messages_clock.clock
  const serializedClock = crdt.serializeClock(
    crdt.makeClock(Timestamp.parse(setA[0]), prunedA),
  );
  const serializedEmptyClock = crdt.serializeClock(
    crdt.makeClock(Timestamp.parse('1970-01-01T00:00:00.000Z-0000-82c2114f0e49588c')),
  );

  // --- value encoding (copied from core/src/server/sync/index.ts)
  function serializeValue(value) {
    if (value === null) return '0:';
    if (typeof value === 'number') return 'N:' + value;
    if (typeof value === 'string') return 'S:' + value;
    throw new Error('Unserializable value type: ' + JSON.stringify(value));
  }
  function deserializeValue(value) {
    const type = value[0];
    switch (type) {
      case '0':
        return null;
      case 'N':
        return parseFloat(value.slice(2));
      case 'S':
        return value.slice(2);
      default:
    }
    throw new Error('Invalid type key for value: ' + value);
  }
  const valueInputs = [
    '0:',
    '0:junk',
    'S:',
    'S:hello',
    'S:N:1',
    'S:日本',
    'N:0',
    'N:-0',
    'N:1',
    'N:-12345',
    'N:1.5',
    'N:1.50',
    'N:0.1',
    'N:1e21',
    'N:1e20',
    'N:123456789012345680000',
    'N:1e-7',
    'N:0.000001',
    'N:0.0000001234',
    'N:  42abc',
    'N:.5',
    'N:5.',
    'N:+3',
    'N:1e',
    'N:1e+',
    'N:1e+5x',
    'N:Infinity',
    'N:-Infinity',
    'N:abc',
    'N:',
    'N:9007199254740993',
    'N:1.7976931348623157e308',
    'N:5e-324',
    'N:2.5e-5',
    'N:123e-20',
    'N:0x10',
    'X:1',
  ];
  const values = valueInputs.map(input => {
    try {
      const v = deserializeValue(input);
      let kind = v === null ? 'null' : typeof v;
      let out = { input, kind, reserialized: serializeValue(v) };
      if (kind === 'string') out.string = v;
      return out;
    } catch (e) {
      return { input, error: true };
    }
  });

  // --- protobuf bytes
  const { create, toBinary } = crdt;
  const toHex = b => Buffer.from(b).toString('hex');
  const msg = create(crdt.MessageSchema, {
    dataset: 'transactions',
    row: 'a1b2',
    column: 'amount',
    value: 'N:-1200',
  });
  const enc = create(crdt.EncryptedDataSchema, {
    iv: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    authTag: new Uint8Array(16).fill(7),
    data: new Uint8Array([9, 8, 7]),
  });
  const env1 = create(crdt.MessageEnvelopeSchema, {
    timestamp: '2026-11-29T02:52:35.069Z-0011-82c2114f0e49588c',
    isEncrypted: false,
    content: toBinary(crdt.MessageSchema, msg),
  });
  const env2 = create(crdt.MessageEnvelopeSchema, {
    timestamp: '2026-11-29T02:52:35.070Z-0000-82c2114f0e49588c',
    isEncrypted: true,
    content: toBinary(crdt.EncryptedDataSchema, enc),
  });
  const req = create(crdt.SyncRequestSchema, {
    groupId: 'group-1',
    fileId: 'file-1',
    keyId: '',
    since: '2026-11-29T02:47:35.069Z-0000-0000000000000000',
  });
  req.messages.push(env1, env2);
  const reqKey = create(crdt.SyncRequestSchema, {
    groupId: 'g',
    fileId: 'f',
    keyId: 'key-9',
    since: '1970-01-01T00:00:00.000Z-0000-0000000000000000',
  });
  const res = create(crdt.SyncResponseSchema, { merkle: JSON.stringify(prunedA) });
  res.messages.push(env1);
  const proto = {
    message: toHex(toBinary(crdt.MessageSchema, msg)),
    encryptedData: toHex(toBinary(crdt.EncryptedDataSchema, enc)),
    envelopePlain: toHex(toBinary(crdt.MessageEnvelopeSchema, env1)),
    envelopeEncrypted: toHex(toBinary(crdt.MessageEnvelopeSchema, env2)),
    syncRequest: toHex(toBinary(crdt.SyncRequestSchema, req)),
    syncRequestNoMessages: toHex(toBinary(crdt.SyncRequestSchema, reqKey)),
    syncResponse: toHex(toBinary(crdt.SyncResponseSchema, res)),
    emptyMessage: toHex(toBinary(crdt.MessageSchema, create(crdt.MessageSchema, {}))),
  };

  // --- JavaScript number formatting (serializeValue) and Date.parse (Timestamp.parse)
  const numbers = [];
  for (let i = 0; i < 300; i++) {
    const mag = Math.floor(rand() * 60) - 30;
    const x = (rand() - 0.5) * Math.pow(10, mag);
    numbers.push([x, String(x)]);
  }
  for (let i = 0; i < 50; i++) {
    const x = Math.round((rand() - 0.5) * 2e8) / 100; // amounts with cents
    numbers.push([x, String(x)]);
  }
  const isoInputs = [
    '2021-02-30T00:00:00.000Z',
    '2021-02-29',
    '2021-06-01T08:30Z',
    '2021-06-01T08:30:15Z',
    '2021-06-01T08:30:15.1234Z',
    '2021-06-01T08:30:15.1Z',
    '2021-06-01T24:00:00.000Z',
    '2021-06-01T24:00:01.000Z',
    '2021-06-01',
    '2021-6-01T08:30:15.123Z',
    '2021-06-01t08:30:15.123z',
    '2021-06-01T08:30:60.000Z',
    ' 2021-06-01T08:30:15.123Z',
    '2021-06-01T08:30:15,123Z',
    '2000-01-01T00:00:00.000Z',
    '2100-03-01T00:00:00.000Z',
  ];
  const isoDates = isoInputs.map(s => [s, isNaN(Date.parse(s)) ? null : Date.parse(s)]);

  process.stdout.write(
    JSON.stringify(
      {
        generatedBy: 'crates/sync/tests/gen-vectors.js',
        crdtVersion: require(path.join(crdtDir, 'package.json')).version,
        murmurhashVersion: require(require.resolve('murmurhash/package.json', { paths: [crdtDir] }))
          .version,
        murmur,
        parse,
        clock,
        merkle: merkleVectors,
        serializedClock,
        serializedEmptyClock,
        values,
        proto,
        numbers,
        isoDates,
      },
      null,
      1,
    ) + '\n',
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
