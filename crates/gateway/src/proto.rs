//! A tiny protobuf field reader: just enough of `SyncRequest` to scope a sync
//! (`messages = 1` repeated, `fileId = 2`, `groupId = 3`).

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncRequestInfo {
    /// Number of `messages` entries carried (field 1).
    pub messages: usize,
    pub file_id: Option<String>,
    pub group_id: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, Malformed> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or(Malformed)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(out);
        }
    }
    Err(Malformed)
}

/// Calls `f(field, wire_type, bytes)` for each top-level field. For wire types other
/// than 2 the bytes are the raw encoding of the value.
pub fn fields<'a>(buf: &'a [u8], mut f: impl FnMut(u64, u8, &'a [u8])) -> Result<(), Malformed> {
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let (field, wire) = (key >> 3, (key & 7) as u8);
        if field == 0 {
            return Err(Malformed);
        }
        let start = pos;
        let end = match wire {
            0 => {
                varint(buf, &mut pos)?;
                pos
            }
            1 => start.checked_add(8).ok_or(Malformed)?,
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).map_err(|_| Malformed)?;
                let s = pos;
                let e = s.checked_add(len).ok_or(Malformed)?;
                if e > buf.len() {
                    return Err(Malformed);
                }
                f(field, wire, &buf[s..e]);
                pos = e;
                continue;
            }
            5 => start.checked_add(4).ok_or(Malformed)?,
            _ => return Err(Malformed),
        };
        if end > buf.len() {
            return Err(Malformed);
        }
        f(field, wire, &buf[start..end]);
        pos = end;
    }
    Ok(())
}

/// Whether a `MessageEnvelope` (`timestamp = 1` string, `isEncrypted = 2` bool,
/// `content = 3` bytes) is one upstream can store: well-formed, with a timestamp its
/// `Timestamp.parse` accepts. Upstream answers anything else with a 500 (a protobuf it
/// cannot parse) or fails half-way through the sync (a timestamp it cannot parse).
fn envelope_ok(bytes: &[u8]) -> bool {
    let mut timestamp = None;
    let mut bad = false;
    let parsed = fields(bytes, |field, wire, value| match (field, wire) {
        (1, 2) => timestamp = Some(value),
        (2, 0) | (3, 2) => {}
        (1..=3, _) => bad = true,
        _ => {}
    });
    parsed.is_ok()
        && !bad
        && timestamp
            .and_then(|t| std::str::from_utf8(t).ok())
            .is_some_and(|t| actual_protocol::timestamp::Timestamp::parse(t).is_some())
}

/// Reads the fields of a `SyncRequest` body that decide scope and write access, and
/// refuses a body upstream could not handle (see [`envelope_ok`]).
pub fn sync_request(body: &[u8]) -> Result<SyncRequestInfo, Malformed> {
    let mut info = SyncRequestInfo::default();
    let mut bad = false;
    fields(body, |field, wire, bytes| match (field, wire) {
        (1, 2) => {
            info.messages += 1;
            bad |= !envelope_ok(bytes);
        }
        (2, 2) => match std::str::from_utf8(bytes) {
            Ok(s) => info.file_id = Some(s.to_string()),
            Err(_) => bad = true,
        },
        (3, 2) => match std::str::from_utf8(bytes) {
            Ok(s) => info.group_id = Some(s.to_string()),
            Err(_) => bad = true,
        },
        // Upstream's protobuf reader refuses strings that are not UTF-8 (a 500).
        (5 | 6, 2) => bad |= std::str::from_utf8(bytes).is_err(),
        // Any other wire type for the known fields would be read differently upstream.
        (1..=3 | 5 | 6, _) => bad = true,
        _ => {}
    })?;
    if bad {
        return Err(Malformed);
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(field: u8, bytes: &[u8]) -> Vec<u8> {
        let mut v = vec![(field << 3) | 2, bytes.len() as u8];
        v.extend_from_slice(bytes);
        v
    }

    #[test]
    fn reads_sync_request() {
        let mut body = Vec::new();
        body.extend(ld(
            1,
            &ld(1, b"2026-01-01T00:00:00.000Z-0000-0123456789abcdef"),
        ));
        let mut env = ld(1, b"2026-01-01T00:00:01.000Z-0001-0123456789abcdef");
        env.extend([0x10, 0x01]); // isEncrypted
        env.extend(ld(3, b"content"));
        body.extend(ld(1, &env));
        body.extend(ld(2, b"file-1"));
        body.extend(ld(3, b"group-1"));
        body.extend(ld(5, b"key"));
        body.extend(ld(6, b"2026-01-01T00:00:00.000Z-0000-0000000000000000"));
        body.extend([0x38, 0x96, 0x01]); // field 7 varint 150
        body.extend([0x45, 1, 2, 3, 4]); // field 8 fixed32
        body.extend([0x49, 1, 2, 3, 4, 5, 6, 7, 8]); // field 9 fixed64
        let info = sync_request(&body).unwrap();
        assert_eq!(info.messages, 2);
        assert_eq!(info.file_id.as_deref(), Some("file-1"));
        assert_eq!(info.group_id.as_deref(), Some("group-1"));
        assert_eq!(sync_request(&[]).unwrap(), SyncRequestInfo::default());
    }

    #[test]
    fn rejects_envelopes_upstream_cannot_store() {
        let file = ld(2, b"file-1");
        for env in [
            ld(1, b"not a timestamp"),
            ld(1, b"2026-01-01T00:00:00.000Z-10000-0123456789abcdef"), // counter too big
            ld(1, &[0xff, 0xfe]),
            Vec::new(),                         // no timestamp
            vec![0x0a, 0x7f, 0x41],             // truncated
            vec![0x08, 0x01],                   // timestamp as a varint
            vec![0x12, 0x01, 0x01],             // isEncrypted as bytes
            vec![0x1d, 0x01, 0x02, 0x03, 0x04], // content as fixed32
        ] {
            let mut body = ld(1, &env);
            body.extend(&file);
            assert_eq!(sync_request(&body), Err(Malformed), "{env:?}");
        }
        // keyId (5) and since (6) are UTF-8 strings.
        assert_eq!(sync_request(&[0x28, 0x01]), Err(Malformed));
        assert_eq!(sync_request(&[0x30, 0x01]), Err(Malformed));
        assert_eq!(sync_request(&[0x2a, 0x01, 0x8f]), Err(Malformed));
        assert_eq!(sync_request(&[0x32, 0x02, 0x30, 0xa4]), Err(Malformed));
        assert!(sync_request(&[0x32, 0x02, 0xc3, 0xa9]).is_ok());
    }

    #[test]
    fn later_fields_win_like_protobuf() {
        let mut body = ld(2, b"a");
        body.extend(ld(2, b"b"));
        assert_eq!(sync_request(&body).unwrap().file_id.as_deref(), Some("b"));
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(sync_request(&[0x12, 10, b'a']), Err(Malformed)); // truncated
        assert_eq!(sync_request(&[0x12]), Err(Malformed));
        assert_eq!(sync_request(&[0x10, 1]), Err(Malformed)); // fileId as varint
        assert_eq!(sync_request(&[0x12, 1, 0xff]), Err(Malformed)); // not utf-8
        assert_eq!(sync_request(&[0x0b]), Err(Malformed)); // group wire type
        assert_eq!(sync_request(&[0x02, 0]), Err(Malformed)); // field 0
        assert_eq!(sync_request(&[0xff; 11]), Err(Malformed)); // endless varint
        assert_eq!(
            sync_request(&[0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
            Err(Malformed)
        );
    }
}
