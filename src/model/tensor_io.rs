//! Moving f32 rows between host memory and a device. Reads are async because WebGPU only
//! reads back asynchronously (a synchronous read panics there); natively they are awaited
//! with `pollster`.

use crate::error::{Error, Result};
use burn::prelude::*;

/// A row-major `rows × cols` matrix as a tensor on `device`.
pub fn upload(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    debug_assert_eq!(values.len(), rows * cols);
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

/// Reads any float tensor back as a flat f32 vector.
pub async fn read_f32<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| Error::Backend(format!("reading a tensor back failed: {e:?}")))?;
    data.convert::<f32>()
        .try_to_vec::<f32>()
        .map_err(|e| Error::Backend(format!("tensor data is not f32: {e:?}")))
}
