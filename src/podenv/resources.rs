//! `resourceFieldRef`: a container's CPU, memory and ephemeral-storage
//! requests and limits, divided by a divisor and rounded up, as the kubelet's
//! `ExtractContainerResourceValue` does.

use crate::manifest::{Container, Quantity};

use super::{ConfigError, NodeInfo};

/// The value of `resource` (`limits.cpu`, `requests.memory`, ...) for
/// `container`. An unset limit reads the node's allocatable amount (the
/// kubelet merges node allocatable into unset limits); an unset request reads
/// the limit when one is set (API defaulting), else 0.
pub fn resource_value(
    container: &Container,
    resource: &str,
    divisor: Option<&Quantity>,
    node: &NodeInfo,
) -> Result<String, ConfigError> {
    let (kind, name) = resource
        .split_once('.')
        .ok_or_else(|| ConfigError::new(format!("unsupported container resource : {resource}")))?;
    let node_milli = match name {
        "cpu" => node.cpu_millis,
        "memory" => node.memory_bytes * 1000,
        "ephemeral-storage" => node.ephemeral_storage_bytes * 1000,
        _ => {
            return Err(ConfigError::new(format!(
                "unsupported container resource : {resource}"
            )));
        }
    };
    let limit = container.resources.limits.get(name).map(Quantity::milli);
    let milli = match kind {
        "limits" => limit.unwrap_or(node_milli),
        "requests" => container
            .resources
            .requests
            .get(name)
            .map(Quantity::milli)
            .or(limit)
            .unwrap_or(0),
        _ => {
            return Err(ConfigError::new(format!(
                "unsupported container resource : {resource}"
            )));
        }
    };
    // Divisor default 1; CPU compares millicores, the others whole units
    // (the kubelet rounds a memory quantity up to bytes first).
    let divisor_milli = divisor.map_or(1000, Quantity::milli);
    if divisor_milli <= 0 {
        return Err(ConfigError::new(format!(
            "invalid divisor for {resource}: must be greater than zero"
        )));
    }
    let value = if name == "cpu" {
        milli
    } else {
        (milli + 999).div_euclid(1000) * 1000
    };
    let divisor_value = if name == "cpu" {
        divisor_milli
    } else {
        ((divisor_milli + 999).div_euclid(1000) * 1000).max(1)
    };
    Ok(ceil_div(value, divisor_value).to_string())
}

fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a.div_euclid(b);
    if a.rem_euclid(b) != 0 { q + 1 } else { q }
}
