//! Files across the browser boundary: reading a picked or dropped file (size checked before a
//! byte is read) and handing bytes to the user as a download.

use crate::data::{check_size, read_bytes, Loaded, ReadOptions};
use crate::error::{Error, Result};
use wasm_bindgen::JsCast;

/// A user's file as bytes, with its name; the size limit is checked from `File.size` before
/// a byte is read.
pub async fn file_bytes(file: &web_sys::File) -> Result<(String, Vec<u8>)> {
    let name = file.name();
    check_size(&name, file.size() as u64)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| Error::Format {
            file: name.clone(),
            message: format!("the browser could not read it: {e:?}"),
        })?;
    Ok((name, js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Reads and parses a user's table file.
/// Reads a picked or dropped table file, and the SHA-256 of its bytes (what a share link and a
/// model file record of uploaded data).
pub async fn load_file(file: &web_sys::File, opts: &ReadOptions) -> Result<(Loaded, String)> {
    let (name, bytes) = file_bytes(file).await?;
    let loaded = read_bytes(&bytes, &name, opts)?;
    Ok((loaded, crate::store::sha256_hex(&bytes)))
}

/// Offers `bytes` as a download named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<()> {
    let fail = |what: &str| Error::invalid("download", format!("{name}: {what}"));
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_err(|_| fail("cannot make a blob"))?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("no object URL"))?;
    let result = click_link(&url, name);
    // Revoked a minute later: revoking at once can cancel the download it just started.
    if let Some(w) = web_sys::window() {
        let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    result.map_err(|_| fail("cannot start the download"))
}

/// Offers a `data:` URL (a canvas's PNG) as a download named `name`.
pub fn download_url(name: &str, url: &str) -> Result<()> {
    click_link(url, name)
        .map_err(|_| Error::invalid("download", format!("{name}: cannot start the download")))
}

fn click_link(url: &str, name: &str) -> std::result::Result<(), ()> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or(())?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    a.set_href(url);
    a.set_download(name);
    a.click();
    Ok(())
}

/// A canvas's picture as a PNG `data:` URL.
pub fn canvas_png(id: &str) -> Result<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        .and_then(|c| c.to_data_url_with_type("image/png").ok())
        .ok_or_else(|| Error::invalid("plot", format!("canvas '{id}' is not on the page")))
}

/// Reads a small text file (a detector card).
pub async fn load_text(file: &web_sys::File) -> Result<String> {
    let (name, bytes) = file_bytes(file).await?;
    String::from_utf8(bytes).map_err(|_| Error::Format {
        file: name,
        message: "not UTF-8 text".into(),
    })
}

/// The bytes at `url` (relative to the page), or a one-line error naming it.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>> {
    use wasm_bindgen_futures::JsFuture;
    let fail = |what: String| Error::invalid("download", format!("{url}: {what}"));
    let window = web_sys::window().ok_or_else(|| fail("no window".into()))?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| fail("the server did not answer".into()))?
        .dyn_into()
        .map_err(|_| fail("not a response".into()))?;
    if !resp.ok() {
        return Err(fail(format!("HTTP {}", resp.status())));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(|_| fail("no body".into()))?)
        .await
        .map_err(|_| fail("the download failed".into()))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}
