//! The model file: `FASTSIM\0` | format version (u32 LE) | header length (u64 LE) | header JSON
//! | weight count (u64 LE) | weights (f32 LE) | SHA-256 of all preceding bytes.
//! Weights are our own flat f32 layout (layer by layer, weights then bias; see `Mlp::to_flat`)
//! rather than a Burn record: it is read back asynchronously on WebGPU like any tensor, and
//! the same weights give the same bytes, so the hash identifies a model.

use crate::error::{Error, Result};
use crate::model::{
    params, read_f32, JetVaeMeta, SmearingMeta, TrainedJetVae, TrainedSmearing, TrainedUnfold,
    TrainedVaeGan, UnfoldMeta, VaeGanMeta,
};
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"FASTSIM\0";
/// The model-file format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Largest model file accepted (a smearing network is ≈ 260 kB).
const MAX_BYTES: usize = 256 << 20;

#[derive(Serialize, Deserialize)]
struct Header<M> {
    kind: String,
    meta: M,
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file bytes of a model of `kind` with header `meta` and flat `weights`.
fn write_file(kind: &str, meta: &impl Serialize, weights: &[f32]) -> Result<Vec<u8>> {
    let header = serde_json::to_vec(&Header {
        kind: kind.into(),
        meta,
    })
    .map_err(|e| Error::Backend(format!("cannot serialise the model header: {e}")))?;
    let mut out = Vec::with_capacity(64 + header.len() + 4 * weights.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&(weights.len() as u64).to_le_bytes());
    for w in weights {
        out.extend_from_slice(&w.to_le_bytes());
    }
    let hash = Sha256::digest(&out);
    out.extend_from_slice(&hash);
    Ok(out)
}

/// A checked model file: its kind, header JSON and weights.
struct Parsed {
    kind: String,
    header: serde_json::Value,
    weights: Vec<f32>,
}

fn model_error(file: &str, message: String) -> Error {
    Error::Model {
        file: file.to_string(),
        message,
    }
}

/// Refuses a wrong magic, an unknown version, a hash mismatch (any changed byte),
/// inconsistent sizes and non-finite weights.
fn parse(bytes: &[u8], file: &str) -> Result<Parsed> {
    let err = |message: String| model_error(file, message);
    if bytes.len() > MAX_BYTES {
        return Err(err(format!(
            "{} bytes is over the {} MiB limit",
            bytes.len(),
            MAX_BYTES >> 20
        )));
    }
    if bytes.len() < 8 + 4 + 8 + 8 + 32 || &bytes[..8] != MAGIC {
        return Err(err("not a fastsim model file (bad magic bytes)".into()));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(err(format!(
            "format version {version} is not supported (this build reads {FORMAT_VERSION})"
        )));
    }
    let (body, hash) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != hash {
        return Err(err(
            "content hash mismatch: the file is corrupted or was modified".into(),
        ));
    }
    let header_len = u64::from_le_bytes(body[12..20].try_into().expect("8 bytes")) as usize;
    let rest = &body[20..];
    if header_len > rest.len().saturating_sub(8) {
        return Err(err(format!("header length {header_len} exceeds the file")));
    }
    let header: Header<serde_json::Value> =
        serde_json::from_slice(&rest[..header_len]).map_err(|e| err(format!("bad header: {e}")))?;
    let rest = &rest[header_len..];
    let n = u64::from_le_bytes(rest[..8].try_into().expect("8 bytes")) as usize;
    let data = &rest[8..];
    if data.len() != n.saturating_mul(4) {
        return Err(err(format!(
            "{} weight bytes for {n} declared weights",
            data.len()
        )));
    }
    let weights: Vec<f32> = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    if weights.iter().any(|w| !w.is_finite()) {
        return Err(err("weights hold non-finite values".into()));
    }
    Ok(Parsed {
        kind: header.kind,
        header: header.meta,
        weights,
    })
}

/// The kind of model a file holds ("smearing", "jet-vae"), after all checks.
pub fn model_kind(bytes: &[u8], file: &str) -> Result<String> {
    parse(bytes, file).map(|p| p.kind)
}

/// A checked file of `kind`: its header as `M` and its weights.
fn open<M: serde::de::DeserializeOwned>(
    bytes: &[u8],
    file: &str,
    kind: &str,
) -> Result<(M, Vec<f32>)> {
    let p = parse(bytes, file)?;
    if p.kind != kind {
        return Err(model_error(
            file,
            format!("holds a '{}' model, not a '{kind}' one", p.kind),
        ));
    }
    let meta = serde_json::from_value(p.header)
        .map_err(|e| model_error(file, format!("bad header: {e}")))?;
    Ok((meta, p.weights))
}

/// The start of a half-precision model ([`to_half`]).
const HALF_MAGIC: &[u8; 8] = b"FSHALF1\0";

/// Largest relative rounding of a weight by [`to_half`]: float16 keeps 11 significant bits,
/// so round-to-nearest changes a normal weight by at most 2⁻¹¹ of its size. (Weights below
/// float16's normal range, |w| < 6.1·10⁻⁵, are rounded to a multiple of 2⁻²⁴ instead.)
pub const HALF_REL_ROUNDING: f64 = 1.0 / 2048.0;

/// A model file's compact form for links: the same header, its weights rounded to float16
/// (half the bytes). Refused if a weight is beyond float16's range (±65,504).
pub fn to_half(bytes: &[u8], file: &str) -> Result<Vec<u8>> {
    let p = parse(bytes, file)?;
    if let Some(w) = p.weights.iter().find(|w| w.abs() > 65_504.0) {
        return Err(model_error(
            file,
            format!("weight {w} is beyond float16's range: it cannot be carried in half precision"),
        ));
    }
    let header = serde_json::to_vec(&Header {
        kind: p.kind,
        meta: p.header,
    })
    .map_err(|e| Error::Backend(format!("cannot serialise the model header: {e}")))?;
    let mut out = Vec::with_capacity(24 + header.len() + 2 * p.weights.len());
    out.extend_from_slice(HALF_MAGIC);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&(p.weights.len() as u64).to_le_bytes());
    for w in &p.weights {
        out.extend_from_slice(&half::f16::from_f32(*w).to_le_bytes());
    }
    Ok(out)
}

/// The model file of a compact form made by [`to_half`]: the weights are the float16 values
/// (so it is not the original file, and its hash differs). Every size is checked.
pub fn from_half(bytes: &[u8], file: &str) -> Result<Vec<u8>> {
    let err = |m: &str| model_error(file, m.to_string());
    let rest = bytes
        .strip_prefix(HALF_MAGIC)
        .ok_or_else(|| err("not a half-precision model (bad magic bytes)"))?;
    let take_len = |r: &[u8]| -> Result<(usize, usize)> {
        let n = r
            .get(..8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .ok_or_else(|| err("truncated"))?;
        Ok((usize::try_from(n).unwrap_or(usize::MAX), r.len() - 8))
    };
    let (header_len, left) = take_len(rest)?;
    if header_len > left {
        return Err(err("header length exceeds the data"));
    }
    let header: Header<serde_json::Value> = serde_json::from_slice(&rest[8..8 + header_len])
        .map_err(|e| model_error(file, format!("bad header: {e}")))?;
    let rest = &rest[8 + header_len..];
    let (n, left) = take_len(rest)?;
    if n.checked_mul(2) != Some(left) {
        return Err(err("weight count does not match the data"));
    }
    let weights: Vec<f32> = rest[8..]
        .chunks_exact(2)
        .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
        .collect();
    let out = write_file(&header.kind, &header.meta, &weights)?;
    // The rebuilt file passes every check a file does (finite weights, sizes).
    parse(&out, file)?;
    Ok(out)
}

/// Serialises a trained smearing network (reads its weights from the device).
pub async fn save_smearing(model: &TrainedSmearing) -> Result<Vec<u8>> {
    let weights = model.weights().await?;
    write_file("smearing", &model.meta, &weights)
}

/// Reads a smearing model file onto `device`; `file` names it in messages.
pub fn load_smearing(bytes: &[u8], file: &str, device: &Device) -> Result<TrainedSmearing> {
    let err = |message: String| model_error(file, message);
    let (meta, weights): (SmearingMeta, _) = open(bytes, file, "smearing")?;
    let cfg = &meta.config;
    if cfg.n_inputs != meta.gen_cols.len()
        || cfg.n_outputs != meta.reco_cols.len()
        || meta.x_norm.k() != cfg.n_inputs
        || meta.y_norm.k() != cfg.n_outputs
        // Bounds that keep the parameter count far from overflowing a 32-bit usize (wasm).
        || cfg.hidden_layers > 16
        || cfg.hidden_width > 4096
        || cfg.n_inputs > 4096
        || cfg.n_outputs > 4096
    {
        return Err(err("header sizes are inconsistent".into()));
    }
    if let Some(spec) = &cfg.flow {
        spec.validate().map_err(|e| err(e.to_string()))?;
    }
    if weights.len() != cfg.n_response_params() {
        return Err(err(format!(
            "{} weights for a network of {} parameters",
            weights.len(),
            cfg.n_response_params()
        )));
    }
    Ok(TrainedSmearing::from_flat(meta, weights, device))
}

/// Serialises a trained jet VAE.
pub async fn save_jet_vae(model: &TrainedJetVae) -> Result<Vec<u8>> {
    let weights = read_f32(params::to_flat(model.net())).await?;
    write_file("jet-vae", &model.meta, &weights)
}

/// Reads a jet-VAE model file onto `device`.
pub fn load_jet_vae(bytes: &[u8], file: &str, device: &Device) -> Result<TrainedJetVae> {
    let err = |message: String| model_error(file, message);
    let (meta, weights): (JetVaeMeta, _) = open(bytes, file, "jet-vae")?;
    meta.config
        .validate()
        .map_err(|e| err(format!("bad header: {e}")))?;
    let s = &meta.scales;
    if !s
        .std
        .iter()
        .chain(&s.mean)
        .chain([&s.pt, &s.m])
        .all(|v| v.is_finite())
        || s.std.iter().chain([&s.pt, &s.m]).any(|v| *v <= 0.0)
    {
        return Err(err(
            "bad header: standardisation is not finite and positive".into(),
        ));
    }
    let shapes = meta.config.init_shapes(device);
    let net = params::from_flat(shapes, &weights, device).map_err(|e| err(e.to_string()))?;
    Ok(TrainedJetVae::new(meta, net, device.clone()))
}

/// Serialises a trained unfolding generator (the discriminator is not needed to unfold).
pub async fn save_unfold(model: &TrainedUnfold) -> Result<Vec<u8>> {
    let weights = read_f32(model.generator().to_flat()).await?;
    write_file("unfold-gan", &model.meta, &weights)
}

/// Reads an unfolding model file onto `device`.
pub fn load_unfold(bytes: &[u8], file: &str, device: &Device) -> Result<TrainedUnfold> {
    let err = |message: String| model_error(file, message);
    let (meta, weights): (UnfoldMeta, _) = open(bytes, file, "unfold-gan")?;
    meta.config
        .validate()
        .map_err(|e| err(format!("bad header: {e}")))?;
    let k = meta.config.d_event();
    if meta.gen_cols.len() != k
        || meta.reco_cols.len() != k
        || !meta.gen_scales.is_valid(k)
        || !meta.reco_scales.is_valid(meta.config.d_cond())
    {
        return Err(err(
            "header sizes or standardisation are inconsistent".into()
        ));
    }
    let cfg = meta.config.generator_config();
    if weights.len() != cfg.n_params() {
        return Err(err(format!(
            "{} weights for a generator of {} parameters",
            weights.len(),
            cfg.n_params()
        )));
    }
    let generator = cfg.from_flat(&weights, device);
    Ok(TrainedUnfold::new(meta, generator, device.clone()))
}

/// Serialises a trained VAE-GAN: its members' generators, one after the other (the encoder
/// and the discriminator are not needed to generate).
pub async fn save_vae_gan(model: &TrainedVaeGan) -> Result<Vec<u8>> {
    let mut weights = Vec::new();
    for g in model.generators() {
        weights.extend(read_f32(params::to_flat(g)).await?);
    }
    write_file("vae-gan", &model.meta, &weights)
}

/// Reads a VAE-GAN model file onto `device`.
pub fn load_vae_gan(bytes: &[u8], file: &str, device: &Device) -> Result<TrainedVaeGan> {
    let err = |message: String| model_error(file, message);
    let (meta, weights): (VaeGanMeta, _) = open(bytes, file, "vae-gan")?;
    meta.config
        .validate()
        .map_err(|e| err(format!("bad header: {e}")))?;
    let members = meta.members();
    if !(1..=16).contains(&members)
        || meta.history.len() != members
        || !(meta.pixel_mm.is_finite() && meta.pixel_mm > 0.0)
    {
        return Err(err(format!(
            "bad header: {members} members, {} histories, pixel pitch {} mm",
            meta.history.len(),
            meta.pixel_mm
        )));
    }
    let per = meta.config.init_generator(device).num_params();
    if weights.len() != members * per {
        return Err(err(format!(
            "{} weights for {members} generators of {per} parameters",
            weights.len()
        )));
    }
    let generators = weights
        .chunks_exact(per)
        .map(|w| params::from_flat(meta.config.init_generator(device), w, device))
        .collect::<Result<Vec<_>>>()
        .map_err(|e| err(e.to_string()))?;
    Ok(TrainedVaeGan::new(meta, generators, device.clone()))
}
