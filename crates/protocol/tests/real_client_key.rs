//! Key derivation and the key test against a vector made by the real client
//! (`@actual-app/api` key-make); see fixtures/real-client-key.json.

use actual_protocol::crypto::{BudgetKey, KeyTest};

struct Vector {
    password: String,
    salt: String,
    test: String,
    key_hex: String,
}

fn vector() -> Vector {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/real-client-key.json")).unwrap();
    let s = |k: &str| raw[k].as_str().unwrap().to_string();
    Vector {
        password: s("password"),
        salt: s("salt"),
        test: s("test"),
        key_hex: s("keyHex"),
    }
}

#[test]
fn derives_the_same_key_as_the_real_client() {
    let v = vector();
    let key = BudgetKey::derive(&v.password, &v.salt);
    let hex: String = key.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, v.key_hex);
}

#[test]
fn opens_the_real_clients_key_test_only_with_the_right_password() {
    let v = vector();
    let test = KeyTest::parse(&v.test).unwrap();
    assert!(test
        .accepts(&BudgetKey::derive(&v.password, &v.salt))
        .unwrap());
    assert!(!test
        .accepts(&BudgetKey::derive("wrong password", &v.salt))
        .unwrap());
}
