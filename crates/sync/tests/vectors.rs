//! Checks against vectors printed by the real `@actual-app/crdt` (tests/gen-vectors.js).

use actual_sync::merkle::{key_to_timestamp, Trie};
use actual_sync::murmur::murmur_v3;
use actual_sync::proto;
use actual_sync::{Clock, SyncError, Timestamp, Value};
use prost::Message as _;
use serde_json::Value as J;

fn vectors() -> J {
    serde_json::from_str(include_str!("fixtures/vectors.json")).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn murmurhash_v3_matches_npm_package() {
    let v = vectors();
    for case in v["murmur"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        assert_eq!(
            murmur_v3(input) as u64,
            case["v3"].as_u64().unwrap(),
            "{input:?}"
        );
    }
}

#[test]
fn timestamp_parse_and_format() {
    let v = vectors();
    for case in v["parse"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let parsed = Timestamp::parse(input);
        if case.get("invalid").is_some() {
            assert!(parsed.is_none(), "{input:?} should not parse");
            continue;
        }
        let ts = parsed.unwrap_or_else(|| panic!("{input:?} should parse"));
        assert_eq!(ts.millis(), case["millis"].as_i64().unwrap(), "{input}");
        assert_eq!(
            ts.counter() as u64,
            case["counter"].as_u64().unwrap(),
            "{input}"
        );
        assert_eq!(ts.node(), case["node"].as_str().unwrap(), "{input}");
        assert_eq!(ts.to_string(), case["string"].as_str().unwrap(), "{input}");
        assert_eq!(ts.hash() as u64, case["hash"].as_u64().unwrap(), "{input}");
    }
}

#[test]
fn clock_send_recv_matches_upstream() {
    let v = vectors();
    for scenario in v["clock"].as_array().unwrap() {
        let start = &scenario["start"];
        let mut clock = Clock::new(
            Timestamp::new(
                start["millis"].as_i64().unwrap(),
                start["counter"].as_u64().unwrap() as u32,
                start["node"].as_str().unwrap(),
            ),
            Trie::empty(),
        );
        clock.max_drift = scenario["maxDrift"].as_i64().unwrap();
        for op in scenario["ops"].as_array().unwrap() {
            let now = op["now"].as_i64().unwrap();
            let res = match op["op"].as_str().unwrap() {
                "send" => clock.send_at(now),
                _ => clock.recv_at(&Timestamp::parse(op["msg"].as_str().unwrap()).unwrap(), now),
            };
            match (res, op.get("result"), op.get("error").and_then(J::as_str)) {
                (Ok(ts), Some(expected), _) => {
                    assert_eq!(ts.to_string(), expected.as_str().unwrap(), "{op}")
                }
                (Err(SyncError::ClockDrift), _, Some("ClockDriftError")) => {}
                (Err(SyncError::ClockOverflow), _, Some("OverflowError")) => {}
                (other, _, _) => panic!("{op}: got {other:?}"),
            }
        }
    }
}

fn parse_all(list: &J) -> Vec<Timestamp> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| Timestamp::parse(s.as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn merkle_insert_prune_diff_match_upstream() {
    let v = vectors();
    let m = &v["merkle"];
    let set_a = parse_all(&m["setA"]);
    let set_b = parse_all(&m["setB"]);
    let early = parse_all(&m["early"]);

    let mut trie = Trie::empty();
    for step in m["insertSteps"].as_array().unwrap() {
        trie.insert(&Timestamp::parse(step["insert"].as_str().unwrap()).unwrap());
        assert_eq!(trie.to_json(), step["trie"].as_str().unwrap());
    }

    let trie_a = Trie::build(&set_a);
    let trie_ab = Trie::build(set_a.iter().chain(&set_b));
    let trie_early = Trie::build(&early);
    assert_eq!(trie_a.to_json(), m["trieA"].as_str().unwrap());
    assert_eq!(trie_ab.to_json(), m["trieAB"].as_str().unwrap());
    assert_eq!(trie_early.to_json(), m["trieEarly"].as_str().unwrap());
    let pruned_a = trie_a.prune_default();
    let pruned_ab = trie_ab.prune_default();
    assert_eq!(pruned_a.to_json(), m["prunedA"].as_str().unwrap());
    assert_eq!(pruned_ab.to_json(), m["prunedAB"].as_str().unwrap());
    assert_eq!(trie_a.prune(3).to_json(), m["prunedA3"].as_str().unwrap());
    assert_eq!(trie_a.prune(1).to_json(), m["prunedA1"].as_str().unwrap());

    // insert + prune per batch, like applyMessages, starting from the `{}` of a new clock
    let mut inc = Trie::default();
    for chunk in set_a.chunks(7) {
        for ts in chunk {
            inc.insert(ts);
        }
        inc = inc.prune_default();
    }
    assert_eq!(inc.to_json(), m["incrementalPruned"].as_str().unwrap());

    // JSON round trip is byte-identical
    for key in ["trieA", "prunedAB", "trieEarly", "incrementalPruned"] {
        let s = m[key].as_str().unwrap();
        assert_eq!(Trie::from_json(s).unwrap().to_json(), s);
    }

    let named = |name: &str| -> Trie {
        match name {
            "trieA" => trie_a.clone(),
            "trieAB" => trie_ab.clone(),
            "prunedA" => pruned_a.clone(),
            "prunedAB" => pruned_ab.clone(),
            "trieEarly" => trie_early.clone(),
            "empty" => Trie::empty(),
            other => panic!("{other}"),
        }
    };
    for d in m["diffs"].as_array().unwrap() {
        let (a, b) = (d[0].as_str().unwrap(), d[1].as_str().unwrap());
        assert_eq!(named(a).diff(&named(b)), d[2].as_i64(), "diff({a}, {b})");
    }
    for kt in m["keyToTimestamp"].as_array().unwrap() {
        assert_eq!(
            key_to_timestamp(kt[0].as_str().unwrap()),
            kt[1].as_i64().unwrap()
        );
    }
}

#[test]
fn clock_serialisation_matches_messages_clock() {
    let v = vectors();
    let m = &v["merkle"];
    let ts = Timestamp::parse(m["setA"][0].as_str().unwrap()).unwrap();
    let clock = Clock::new(ts, Trie::from_json(m["prunedA"].as_str().unwrap()).unwrap());
    assert_eq!(clock.serialize(), v["serializedClock"].as_str().unwrap());
    let back = Clock::deserialize(v["serializedClock"].as_str().unwrap()).unwrap();
    assert_eq!(back.serialize(), v["serializedClock"].as_str().unwrap());

    let empty = Clock::new(
        Timestamp::parse("1970-01-01T00:00:00.000Z-0000-82c2114f0e49588c").unwrap(),
        Trie::default(),
    );
    assert_eq!(
        empty.serialize(),
        v["serializedEmptyClock"].as_str().unwrap()
    );
    assert_eq!(Clock::deserialize(&empty.serialize()).unwrap(), empty);
}

#[test]
fn values_match_serialize_deserialize() {
    let v = vectors();
    for case in v["values"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let res = Value::deserialize(input);
        if case.get("error").is_some() {
            assert_eq!(res.unwrap_err().code(), "invalid-value", "{input}");
            continue;
        }
        let value = res.unwrap();
        let kind = match &value {
            Value::Null => "null",
            Value::Number(_) => "number",
            Value::String(s) => {
                assert_eq!(s, case["string"].as_str().unwrap());
                "string"
            }
            Value::Unknown(raw) => panic!("deserialize never gives an unknown value: {raw}"),
        };
        assert_eq!(kind, case["kind"].as_str().unwrap(), "{input}");
        assert_eq!(
            value.serialize(),
            case["reserialized"].as_str().unwrap(),
            "{input}"
        );
    }
}

#[test]
fn protobuf_bytes_match_bufbuild() {
    let v = vectors();
    let p = &v["proto"];
    let msg = proto::Message {
        dataset: "transactions".into(),
        row: "a1b2".into(),
        column: "amount".into(),
        value: "N:-1200".into(),
    };
    let enc = proto::EncryptedData {
        iv: (1..=12).collect(),
        auth_tag: vec![7; 16],
        data: vec![9, 8, 7],
    };
    let env1 = proto::MessageEnvelope {
        timestamp: "2026-11-29T02:52:35.069Z-0011-82c2114f0e49588c".into(),
        is_encrypted: false,
        content: msg.encode_to_vec().into(),
    };
    let env2 = proto::MessageEnvelope {
        timestamp: "2026-11-29T02:52:35.070Z-0000-82c2114f0e49588c".into(),
        is_encrypted: true,
        content: enc.encode_to_vec().into(),
    };
    let req = proto::SyncRequest {
        messages: vec![env1.clone(), env2.clone()],
        file_id: "file-1".into(),
        group_id: "group-1".into(),
        key_id: String::new(),
        since: "2026-11-29T02:47:35.069Z-0000-0000000000000000".into(),
    };
    let req_key = proto::SyncRequest {
        messages: vec![],
        file_id: "f".into(),
        group_id: "g".into(),
        key_id: "key-9".into(),
        since: "1970-01-01T00:00:00.000Z-0000-0000000000000000".into(),
    };
    let res = proto::SyncResponse {
        messages: vec![env1.clone()],
        merkle: v["merkle"]["prunedA"].as_str().unwrap().into(),
    };
    assert_eq!(hex(&msg.encode_to_vec()), p["message"].as_str().unwrap());
    assert_eq!(
        hex(&enc.encode_to_vec()),
        p["encryptedData"].as_str().unwrap()
    );
    assert_eq!(
        hex(&env1.encode_to_vec()),
        p["envelopePlain"].as_str().unwrap()
    );
    assert_eq!(
        hex(&env2.encode_to_vec()),
        p["envelopeEncrypted"].as_str().unwrap()
    );
    assert_eq!(
        hex(&req.encode_to_vec()),
        p["syncRequest"].as_str().unwrap()
    );
    assert_eq!(
        hex(&req_key.encode_to_vec()),
        p["syncRequestNoMessages"].as_str().unwrap()
    );
    assert_eq!(
        hex(&res.encode_to_vec()),
        p["syncResponse"].as_str().unwrap()
    );
    assert_eq!(
        hex(&proto::Message::default().encode_to_vec()),
        p["emptyMessage"].as_str().unwrap()
    );

    // and the server-side shape decodes
    let bytes: Vec<u8> = (0..p["syncResponse"].as_str().unwrap().len() / 2)
        .map(|i| {
            u8::from_str_radix(&p["syncResponse"].as_str().unwrap()[2 * i..2 * i + 2], 16).unwrap()
        })
        .collect();
    let (messages, merkle) = actual_sync::sync::decode_response(bytes.as_slice(), None).unwrap();
    assert_eq!(merkle.to_json(), v["merkle"]["prunedA"].as_str().unwrap());
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].value, Value::Number(-1200.0));
    assert_eq!(messages[0].timestamp.to_string(), env1.timestamp);
}

#[test]
fn client_id_shape() {
    for _ in 0..50 {
        let id = actual_sync::make_client_id();
        assert_eq!(id.len(), 16);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert!(matches!(id.as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }
    assert_ne!(actual_sync::make_client_id(), actual_sync::make_client_id());
}

#[test]
fn timestamp_ordering_is_string_ordering() {
    let v = vectors();
    let mut all = parse_all(&v["merkle"]["setA"]);
    all.extend(parse_all(&v["merkle"]["early"]));
    all.push(Timestamp::parse("2020-02-29T12:00:00.000Z-00ff-abc").unwrap());
    all.push(Timestamp::max());
    all.push(Timestamp::zero());
    let mut by_ord = all.clone();
    by_ord.sort();
    let mut by_str: Vec<String> = all.iter().map(|t| t.to_string()).collect();
    by_str.sort();
    assert_eq!(
        by_ord.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        by_str
    );
    assert_eq!(
        Timestamp::parse("2020-02-29T12:00:00.000Z-00FF-abc").unwrap(),
        Timestamp::parse("2020-02-29T12:00:00.000Z-00ff-0000000000000abc").unwrap()
    );
    assert_eq!(
        Timestamp::since("2026-01-01T00:00:00.000Z"),
        "2026-01-01T00:00:00.000Z-0000-0000000000000000"
    );
}

#[test]
fn js_number_formatting_and_parse_float() {
    use actual_sync::value::{js_number_to_string, js_parse_float};
    let v = vectors();
    for pair in v["numbers"].as_array().unwrap() {
        // serde_json's default float parser is not always correctly rounded: use std's.
        let s = pair[1].as_str().unwrap();
        let x: f64 = s.parse().unwrap();
        assert_eq!(js_number_to_string(x), s, "{x:e}");
        assert_eq!(js_parse_float(s).to_bits(), x.to_bits(), "{s}");
        assert_eq!(
            Value::deserialize(&format!("N:{s}")).unwrap().serialize(),
            format!("N:{s}")
        );
    }
}

#[test]
fn iso_dates_like_date_parse() {
    let v = vectors();
    for pair in v["isoDates"].as_array().unwrap() {
        let s = pair[0].as_str().unwrap();
        assert_eq!(
            actual_sync::timestamp::parse_iso_millis(s),
            pair[1].as_i64(),
            "{s}"
        );
    }
}
