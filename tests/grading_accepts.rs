//! Static checks accept every answer a cluster accepts that meets the task:
//! any spelling of an image, a projected volume carrying the asked source,
//! native sidecars counted with the running containers, a read-only mount
//! plus a scratch volume. Pods are read from YAML as a learner writes them.

use podlearn::check::{CheckOutcome, static_checks};
use podlearn::exercise::format;
use podlearn::grade::Tokens;
use podlearn::manifest::{self, Pod, Resource};

fn pod_of(yaml: &str) -> Pod {
    let l = manifest::load_str("t.yaml", yaml);
    assert!(!l.has_errors(), "{:#?}", l.findings);
    l.objects
        .into_iter()
        .find_map(|o| match o.resource {
            Resource::Pod(p) => Some(p),
            _ => None,
        })
        .expect("a Pod")
}

fn eval(fields: &str, pod: &Pod) -> CheckOutcome {
    let text = format!(
        "format_version = 1\ntitle = \"T\"\nlesson = \"l\"\nhints = [\"h\"]\n\
         [[check]]\nid = \"c\"\nhint = \"the hint\"\n{fields}\n"
    );
    let ex = format::parse("x", "exercise.toml", &text).unwrap();
    static_checks::evaluate(&ex.checks[0], pod, &Tokens::default()).unwrap()
}

fn with_image(image: &str) -> Pod {
    pod_of(&format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: web\n    image: {image}\n"
    ))
}

#[test]
fn image_equals_compares_normalized_references() {
    let check = "kind = \"image\"\ncontainer = \"web\"\nimage = { equals = \"busybox\" }";
    for image in [
        "busybox",
        "busybox:latest",
        "library/busybox",
        "docker.io/busybox",
        "docker.io/library/busybox:latest",
        "index.docker.io/library/busybox",
    ] {
        let o = eval(check, &with_image(image));
        assert!(o.passed, "{image}: {o:?}");
    }
    for image in ["busybox:1.36", "example.com/busybox", "busybox-extras"] {
        let o = eval(check, &with_image(image));
        assert!(!o.passed, "{image} is another image");
        assert!(
            o.expected
                .contains("any spelling of it, like \"docker.io/library/busybox:latest\""),
            "{}",
            o.expected
        );
        assert_eq!(o.observed, format!("web: {image}"));
    }
    // the check may name the image in any spelling too
    let o = eval(
        "kind = \"image\"\nimage = { equals = \"docker.io/library/busybox:latest\" }",
        &with_image("busybox"),
    );
    assert!(o.passed, "{o:?}");
    // a regex or contains holds for the written or the normalized spelling
    let re = "kind = \"image\"\nimage = { regex = '^busybox(:latest)?$' }";
    assert!(eval(re, &with_image("busybox")).passed);
    assert!(eval(re, &with_image("docker.io/library/busybox:latest")).passed);
    let re = "kind = \"image\"\nimage = { regex = '^docker\\.io/library/busybox:' }";
    assert!(eval(re, &with_image("busybox")).passed);
    assert!(!eval(re, &with_image("quay.io/busybox")).passed);
}

#[test]
fn image_not_contains_holds_for_every_spelling() {
    let check = "kind = \"image\"\nimage = { not_contains = \":latest\" }";
    assert!(
        !eval(check, &with_image("busybox")).passed,
        "busybox is busybox:latest"
    );
    assert!(!eval(check, &with_image("busybox:latest")).passed);
    assert!(eval(check, &with_image("busybox:1.36")).passed);
}

#[test]
fn a_projected_volume_carries_its_sources() {
    let pod = pod_of(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: web\n    image: busybox\n    volumeMounts:\n    - name: all\n      mountPath: /etc/shop\n  volumes:\n  - name: all\n    projected:\n      sources:\n      - configMap:\n          name: shop-config\n      - secret:\n          name: shop-api\n",
    );
    for t in ["configMap", "secret", "projected"] {
        let o = eval(
            &format!("kind = \"volume\"\ntype = \"{t}\"\nmounted_in = [\"web\"]"),
            &pod,
        );
        assert!(o.passed, "{t}: {o:?}");
    }
    let o = eval("kind = \"volume\"\ntype = \"downwardAPI\"", &pod);
    assert!(!o.passed, "no downwardAPI source: {o:?}");
    assert!(o.observed.contains("all"), "{}", o.observed);
}

/// A Pod whose web container mounts `mounts` (name, mountPath) of the volumes
/// `key` (a secret), `copy` (an emptyDir) and `etc` (an emptyDir).
fn with_mounts(mounts: &[(&str, &str)]) -> Pod {
    let mut yaml = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: web\n    image: busybox\n    volumeMounts:\n",
    );
    for (name, path) in mounts {
        yaml.push_str(&format!("    - name: {name}\n      mountPath: {path}\n"));
    }
    yaml.push_str(
        "  volumes:\n  - name: key\n    secret:\n      secretName: shop-api\n  - name: copy\n    emptyDir: {}\n  - name: etc\n    emptyDir: {}\n",
    );
    pod_of(&yaml)
}

#[test]
fn volume_at_asks_which_mount_holds_the_path() {
    let check = "kind = \"volume\"\ntype = \"secret\"\nmounted_in = [\"web\"]\nat = \"/etc/shop-api/api-key\"";
    for mounts in [
        &[("key", "/etc/shop-api")][..],
        &[("key", "/etc/shop-api/")],
        &[("key", "/etc/shop-api/api-key")],
        &[("etc", "/etc"), ("key", "/etc/shop-api")],
        &[("copy", "/data"), ("key", "/etc/shop-api")],
    ] {
        let o = eval(check, &with_mounts(mounts));
        assert!(o.passed, "{mounts:?}: {o:?}");
    }
    // The secret mounted somewhere else, the file from a copy: the cheat of
    // an init container writing a secretKeyRef into an emptyDir.
    let o = eval(
        check,
        &with_mounts(&[("key", "/unused"), ("copy", "/etc/shop-api")]),
    );
    assert!(!o.passed, "{o:?}");
    assert!(
        o.observed.contains("comes from volume \"copy\" (emptyDir)"),
        "{}",
        o.observed
    );
    // A deeper mount over the secret hides it.
    let o = eval(
        check,
        &with_mounts(&[("key", "/etc"), ("copy", "/etc/shop-api")]),
    );
    assert!(!o.passed, "{o:?}");
    // A look-alike folder is not a parent.
    let o = eval(check, &with_mounts(&[("key", "/etc/shop")]));
    assert!(!o.passed, "{o:?}");
    assert!(o.observed.contains("is on no volume"), "{}", o.observed);
}

#[test]
fn running_counts_containers_and_native_sidecars() {
    let classic = pod_of(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: busybox\n  - name: shipper\n    image: busybox\n",
    );
    let native = pod_of(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n  - name: shipper\n    image: busybox\n    restartPolicy: Always\n  - name: setup\n    image: busybox\n  containers:\n  - name: app\n    image: busybox\n",
    );
    let check = "kind = \"containers\"\nlist = \"running\"\ncount = { equals = 2 }\nnames = [\"app\", \"shipper\"]";
    assert!(eval(check, &classic).passed);
    let o = eval(check, &native);
    assert!(
        o.passed,
        "a regular init container is not running beside the app: {o:?}"
    );
    let only_app = "kind = \"containers\"\ncount = { equals = 2 }";
    assert!(
        !eval(only_app, &native).passed,
        "the default list is spec.containers"
    );
}
