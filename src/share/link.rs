//! Link encoding: `s<version>.<base64url>` in the URL fragment, the base64url (no padding,
//! canonical) of `deflate(state length (u32 LE) | state JSON | model file)` followed by the
//! first 16 bytes of that deflated block's SHA-256. The version stands before the payload so an
//! unknown one is named without decoding anything; the checksum, over the bytes as sent, refuses
//! any changed or truncated character before anything is decompressed; sizes are bounded before
//! and while decompressing, so a hostile link cannot make the page allocate much.

use super::{ModelRef, ShareState};
use crate::error::{Error, Result};
use crate::store::sha256_hex;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// The link format this build writes (and the only one it reads so far).
pub const LINK_VERSION: u32 = 1;
/// The longest fragment the page writes with the weights inline: 16,000 characters. The
/// fragment never reaches a server, so only browsers and the tools people paste links into
/// matter: every current browser opens far longer URLs (Firefox's 65,536 is the least), and
/// Slack (40,000 characters a message), Teams (28 kB), Mattermost (16,383) and e-mail keep such
/// a link whole; Discord's 2,000 keeps no link with weights at all. The small 2 × 16 network
/// with its training history fits in float32, networks of up to about 2 × 40 in float16; a
/// larger model is pinned by its SHA-256 (a `models/` entry, or a file sent with the link).
pub const MAX_INLINE_CHARS: usize = 16_000;
/// The longest fragment read at all; anything longer is refused before decoding.
pub const MAX_LINK_CHARS: usize = 64_000;
/// The most bytes a link may decompress to (a model file of the small preset is ≈ 5 kB).
const MAX_PAYLOAD: u64 = 1 << 20;
const CHECK_BYTES: usize = 16;

fn link_err(message: impl Into<String>) -> Error {
    Error::invalid("link", message)
}

/// The fragment (without '#') for `state` and, for an inline model, its file.
pub fn encode(state: &ShareState, model_file: Option<&[u8]>) -> Result<String> {
    let json = serde_json::to_vec(state).map_err(|e| link_err(format!("cannot serialise: {e}")))?;
    let mut raw = Vec::with_capacity(4 + json.len() + model_file.map_or(0, <[u8]>::len) + 16);
    raw.extend_from_slice(&(json.len() as u32).to_le_bytes());
    raw.extend_from_slice(&json);
    if let Some(m) = model_file {
        raw.extend_from_slice(m);
    }
    let mut z = DeflateEncoder::new(Vec::new(), Compression::best());
    z.write_all(&raw)
        .and_then(|_| z.flush())
        .map_err(|e| link_err(format!("cannot compress: {e}")))?;
    let mut packed = z
        .finish()
        .map_err(|e| link_err(format!("cannot compress: {e}")))?;
    let check = Sha256::digest(&packed);
    packed.extend_from_slice(&check[..CHECK_BYTES]);
    Ok(format!(
        "s{LINK_VERSION}.{}",
        URL_SAFE_NO_PAD.encode(packed)
    ))
}

/// The state and inline model file of a fragment (with or without its '#'), or a one-line
/// reason it is refused: too long, an unknown version, damaged, tampered or truncated.
pub fn decode(fragment: &str) -> Result<(ShareState, Option<Vec<u8>>)> {
    let f = fragment.strip_prefix('#').unwrap_or(fragment);
    if f.len() > MAX_LINK_CHARS {
        return Err(link_err(format!(
            "{} characters is over the {MAX_LINK_CHARS} this page reads",
            f.len()
        )));
    }
    let (version, body) = f
        .strip_prefix('s')
        .and_then(|r| r.split_once('.'))
        .ok_or_else(|| link_err("not a fastsim-lab link (it should start with #s1.)"))?;
    let version: u32 = version
        .parse()
        .map_err(|_| link_err(format!("version '{version}' is not a number")))?;
    if version != LINK_VERSION {
        return Err(link_err(format!(
            "format version {version} is not supported by this page (it reads version {LINK_VERSION}); open it with the fastsim-lab release that made it"
        )));
    }
    let packed = URL_SAFE_NO_PAD.decode(body).map_err(|e| {
        link_err(format!(
            "damaged: not base64url ({e}); was it cut or changed when copied?"
        ))
    })?;
    if packed.len() < CHECK_BYTES + 2 {
        return Err(link_err("damaged: too short"));
    }
    let (packed, check) = packed.split_at(packed.len() - CHECK_BYTES);
    if Sha256::digest(packed)[..CHECK_BYTES] != *check {
        return Err(link_err(
            "checksum mismatch: the link was changed or truncated",
        ));
    }
    let mut raw = Vec::new();
    DeflateDecoder::new(packed)
        .take(MAX_PAYLOAD + 1)
        .read_to_end(&mut raw)
        .map_err(|_| link_err("damaged: it does not decompress (truncated or changed)"))?;
    if raw.len() as u64 > MAX_PAYLOAD {
        return Err(link_err(format!(
            "its content is over {} MiB",
            MAX_PAYLOAD >> 20
        )));
    }
    if raw.len() < 4 {
        return Err(link_err("damaged: too short"));
    }
    let body = raw.as_slice();
    let n = u32::from_le_bytes(body[..4].try_into().expect("4 bytes")) as usize;
    if n > body.len() - 4 {
        return Err(link_err("damaged: the state length exceeds the link"));
    }
    let state: ShareState = serde_json::from_slice(&body[4..4 + n])
        .map_err(|e| link_err(format!("its state is not valid: {e}")))?;
    let model = &body[4 + n..];
    let model = match &state.model {
        ModelRef::Inline { sha256 } | ModelRef::Half { sha256 } => {
            if sha256_hex(model) != *sha256 {
                return Err(link_err("the inline model does not match its hash"));
            }
            Some(model.to_vec())
        }
        _ if !model.is_empty() => {
            return Err(link_err(
                "it carries model bytes its state does not declare",
            ))
        }
        _ => None,
    };
    state.train.validate()?;
    if let crate::recipe::DataOrigin::Recipe { recipe } = &state.data {
        recipe.validate()?;
    }
    Ok((state, model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipe::DataOrigin;
    use crate::recipe::WjetsRecipe;
    use crate::train::TrainConfig;
    use proptest::prelude::*;

    fn state(events: usize, seed: u64, model: ModelRef) -> ShareState {
        ShareState {
            data: DataOrigin::Recipe {
                recipe: Box::new(WjetsRecipe::new(events, seed)),
            },
            train: TrainConfig {
                seed,
                ..TrainConfig::default()
            },
            model,
            sample_seed: seed ^ 7,
        }
    }

    proptest! {
        #[test]
        fn round_trip(events in 1usize..1_000_000, seed in any::<u64>(), bytes in proptest::collection::vec(any::<u8>(), 0..3000), half in any::<bool>()) {
            let inline = !bytes.is_empty();
            let sha256 = sha256_hex(&bytes);
            let model = match (inline, half) {
                (false, _) => ModelRef::None,
                (true, false) => ModelRef::Inline { sha256 },
                (true, true) => ModelRef::Half { sha256 },
            };
            let s = state(events, seed, model);
            let link = encode(&s, inline.then_some(bytes.as_slice())).unwrap();
            prop_assert!(link.starts_with("s1."));
            let (back, m) = decode(&format!("#{link}")).unwrap();
            prop_assert_eq!(back, s);
            prop_assert_eq!(m.unwrap_or_default(), bytes);
        }

        /// Any one changed character, or any cut, is refused (and never panics).
        #[test]
        fn tampering_is_refused(pos in 0usize..10_000, cut in 1usize..50) {
            let bytes = vec![3u8; 500];
            let s = state(2000, 3, ModelRef::Inline { sha256: sha256_hex(&bytes) });
            let link = encode(&s, Some(&bytes)).unwrap();
            let p = 3 + pos % (link.len() - 3);
            let mut changed: Vec<char> = link.chars().collect();
            changed[p] = if changed[p] == 'A' { 'B' } else { 'A' };
            let changed: String = changed.into_iter().collect();
            prop_assert!(decode(&changed).is_err());
            prop_assert!(decode(&link[..link.len() - cut.min(link.len() - 4)]).is_err());
        }
    }

    /// A link that pins a model file carries no bytes; one whose state names a file but
    /// carries bytes, or whose inline bytes do not match, is refused.
    #[test]
    fn pinned_files_carry_no_bytes() {
        let pinned = state(
            100,
            1,
            ModelRef::File {
                name: "model-abc.fastsim".into(),
                sha256: "ab".repeat(32),
            },
        );
        let (back, bytes) = decode(&encode(&pinned, None).unwrap()).unwrap();
        assert_eq!((back, bytes), (pinned.clone(), None));
        let e = decode(&encode(&pinned, Some(b"weights")).unwrap()).unwrap_err();
        assert!(e.to_string().contains("does not declare"), "{e}");
        let half = state(
            100,
            1,
            ModelRef::Half {
                sha256: sha256_hex(b"other"),
            },
        );
        let e = decode(&encode(&half, Some(b"weights")).unwrap()).unwrap_err();
        assert!(e.to_string().contains("does not match its hash"), "{e}");
    }

    #[test]
    fn messages_name_the_problem() {
        let s = state(100, 1, ModelRef::None);
        let link = encode(&s, None).unwrap();
        let e = |l: &str| decode(l).unwrap_err().to_string();
        assert!(e(&link.replacen("s1.", "s2.", 1)).contains("version 2 is not supported"));
        assert!(e("#hello").contains("not a fastsim-lab link"));
        assert!(e(&format!("s1.{}", "A".repeat(MAX_LINK_CHARS))).contains("over the 64000"));
        assert!(e("s1.***").contains("not base64url"));
        // A well-formed link whose recipe asks for too many events.
        let big = encode(&state(5_000_000, 1, ModelRef::None), None).unwrap();
        assert!(e(&big).contains("event count"), "{}", e(&big));
    }
}
