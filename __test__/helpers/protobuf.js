'use strict';
// Just enough protobuf to post hand-made sync messages to a real server in tests.

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function field(number, value) {
  if (typeof value === 'boolean') return Buffer.concat([varint(number << 3), varint(value ? 1 : 0)]);
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

/** A SyncRequest carrying plain (unencrypted) messages. */
function syncRequest({ fileId, groupId, since, messages }) {
  const parts = messages.map(({ timestamp, dataset, row, column, value }) => {
    const content = Buffer.concat([field(1, dataset), field(2, row), field(3, column), field(4, value)]);
    return field(1, Buffer.concat([field(1, timestamp), field(2, false), field(3, content)]));
  });
  return Buffer.concat([...parts, field(2, fileId), field(3, groupId), field(6, since)]);
}

module.exports = { syncRequest };
