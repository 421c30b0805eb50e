use super::*;

fn root(text: &str) -> Node {
    let f = parse(text);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    f.documents[0].root.clone().unwrap()
}

#[test]
fn octal_and_yaml11_scalars_read_like_kubectl() {
    let Value::Map(m) =
        root("a: 01777\nb: yes\nc: '8080'\nd: 0x1F\ne: 1.10\nf: ~\ng: 1_000\n").value
    else {
        panic!()
    };
    let v: Vec<_> = m.iter().map(|e| e.value.value.clone()).collect();
    assert_eq!(v[0], Value::Int(1023));
    assert_eq!(v[1], Value::Bool(true));
    assert_eq!(v[2], Value::Str("8080".into()));
    assert_eq!(v[3], Value::Int(31));
    assert_eq!(v[4], Value::Float(1.1, "1.10".into()));
    assert_eq!(v[5], Value::Null);
    assert_eq!(v[6], Value::Int(1000));
}

#[test]
fn duplicate_key_is_reported_at_the_duplicate() {
    let f = parse("a: 1\nb: 2\na: 3\n");
    assert_eq!(f.problems[0].rule, "duplicate-key");
    assert_eq!(f.problems[0].pos, Pos { line: 3, column: 1 });
}

#[test]
fn flow_style_with_comments_and_trailing_commas() {
    let n = root("{ apiVersion: \"v1\", # c\n  kind: Pod, }\n");
    let Value::Map(m) = n.value else { panic!() };
    assert_eq!(m[1].key, "kind");
    assert_eq!(m[1].key_pos, Pos { line: 2, column: 3 });
}

#[test]
fn billion_laughs_is_stopped() {
    let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        s.push_str(&format!(
            "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    let f = parse(&s);
    assert_eq!(f.problems[0].rule, "alias-bomb");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let s = "[".repeat(10_000);
    let f = parse(&s);
    assert_eq!(f.problems.len(), 1);
    let s = "- ".repeat(10_000) + "x";
    let f = parse(&s);
    assert_eq!(f.problems.len(), 1);
}

#[test]
fn find_follows_api_paths() {
    let n = root(
        "spec:\n  containers:\n  - name: a\n  - name: b\nmetadata:\n  labels: {app.kubernetes.io/name: x}\n",
    );
    assert_eq!(
        n.find("spec.containers[1].name"),
        Some(Pos {
            line: 4,
            column: 11
        })
    );
    assert_eq!(
        n.find("metadata.labels.app.kubernetes.io/name"),
        Some(Pos {
            line: 6,
            column: 36
        })
    );
    assert_eq!(n.find("spec.nothing"), None);
}

#[test]
fn merge_keys_fill_in_missing_fields() {
    let Value::Map(m) = root("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n").value else {
        panic!()
    };
    let Value::Map(c) = &m[1].value.value else {
        panic!()
    };
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].value.value, Value::Int(3));
}
