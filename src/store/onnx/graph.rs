//! A small builder of ONNX graphs over the official schema's types ([`super::proto`]): named
//! float inputs of N rows, constant tensors as initializers, one node per operator, and the
//! model serialised by prost. Opset 17 (ONNX IR version 8), the default domain only.

use super::proto::{
    attribute_proto::AttributeType, tensor_proto::DataType, tensor_shape_proto, type_proto,
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};
use prost::Message;

/// The operator set the graphs use (LayerNormalization-era ops; every op here exists since
/// opset 13 or earlier).
pub const OPSET: i64 = 17;
/// ONNX IR version 8 goes with opset 17.
const IR_VERSION: i64 = 8;

/// A graph under construction; values are referred to by name.
#[derive(Default)]
pub struct Graph {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    next: usize,
}

/// A float tensor of shape (N, `dims`…), N named "N" (any number of rows).
fn rows_of(name: &str, dims: &[usize]) -> ValueInfoProto {
    let dim = |v| tensor_shape_proto::Dimension {
        value: Some(v),
        ..Default::default()
    };
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(DataType::Float as i32),
                shape: Some(TensorShapeProto {
                    dim: std::iter::once(tensor_shape_proto::dimension::Value::DimParam(
                        "N".into(),
                    ))
                    .chain(
                        dims.iter()
                            .map(|&d| tensor_shape_proto::dimension::Value::DimValue(d as i64)),
                    )
                    .map(dim)
                    .collect(),
                }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A float attribute (`alpha` of LeakyRelu).
pub fn float_attr(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Float as i32),
        f: Some(v),
        ..Default::default()
    }
}

/// An integer attribute (`axis` of Gather and Concat).
pub fn int_attr(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(v),
        ..Default::default()
    }
}

/// An integer-list attribute (`pads` of Conv, `perm` of Transpose).
pub fn ints_attr(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: v.to_vec(),
        ..Default::default()
    }
}

impl Graph {
    fn fresh(&mut self, hint: &str) -> String {
        self.next += 1;
        format!("{hint}_{}", self.next)
    }

    /// A graph input of N rows × `cols` float32 columns.
    pub fn input(&mut self, name: &str, cols: usize) -> String {
        self.inputs.push(rows_of(name, &[cols]));
        name.to_string()
    }

    /// Makes `value` the graph output `name` of N × `dims` float32.
    pub fn output(&mut self, value: &str, name: &str, dims: &[usize]) {
        self.nodes.push(NodeProto {
            op_type: Some("Identity".into()),
            input: vec![value.into()],
            output: vec![name.into()],
            name: Some(format!("output_{name}")),
            ..Default::default()
        });
        self.outputs.push(rows_of(name, dims));
    }

    /// A float32 constant of shape `dims` (row-major `values`).
    pub fn constant(&mut self, hint: &str, dims: &[usize], values: Vec<f32>) -> String {
        debug_assert_eq!(dims.iter().product::<usize>(), values.len());
        let name = self.fresh(hint);
        self.initializers.push(TensorProto {
            name: Some(name.clone()),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: Some(DataType::Float as i32),
            float_data: values,
            ..Default::default()
        });
        name
    }

    /// A boolean constant of shape (`values.len()`), for `Where`.
    pub fn mask(&mut self, hint: &str, values: &[bool]) -> String {
        let name = self.fresh(hint);
        self.initializers.push(TensorProto {
            name: Some(name.clone()),
            dims: vec![values.len() as i64],
            data_type: Some(DataType::Bool as i32),
            int32_data: values.iter().map(|&b| i32::from(b)).collect(),
            ..Default::default()
        });
        name
    }

    /// An int64 constant of shape `dims` (shapes, indices, axes).
    pub fn int64s(&mut self, hint: &str, dims: &[usize], values: Vec<i64>) -> String {
        let name = self.fresh(hint);
        self.initializers.push(TensorProto {
            name: Some(name.clone()),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: Some(DataType::Int64 as i32),
            int64_data: values,
            ..Default::default()
        });
        name
    }

    /// A float32 scalar constant.
    pub fn scalar(&mut self, hint: &str, v: f32) -> String {
        self.constant(hint, &[], vec![v])
    }

    /// `x` reshaped to `shape` (−1: inferred).
    pub fn reshape(&mut self, x: &str, shape: &[i64]) -> String {
        let s = self.int64s("shape", &[shape.len()], shape.to_vec());
        self.op("Reshape", &[x, &s], vec![])
    }

    /// Rows of `objects` triples (N × 3·objects) split into their three coordinates, each
    /// N × objects.
    pub fn coordinates(&mut self, x: &str, objects: usize) -> [String; 3] {
        let x3 = self.reshape(x, &[-1, objects as i64, 3]);
        [0, 1, 2].map(|i| {
            let idx = self.int64s("index", &[], vec![i]);
            self.op("Gather", &[&x3, &idx], vec![int_attr("axis", 2)])
        })
    }

    /// The inverse of [`Graph::coordinates`]: three N × objects tensors as N × 3·objects rows.
    pub fn triples(&mut self, c: [&str; 3], objects: usize) -> String {
        let axes = self.int64s("axes", &[1], vec![2]);
        let cols: Vec<String> = c
            .iter()
            .map(|v| self.op("Unsqueeze", &[v, &axes], vec![]))
            .collect();
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let joined = self.op("Concat", &refs, vec![int_attr("axis", 2)]);
        self.reshape(&joined, &[-1, 3 * objects as i64])
    }

    /// One operator node; returns its (single) output's name.
    pub fn op(
        &mut self,
        op_type: &str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
    ) -> String {
        let out = self.fresh(&op_type.to_lowercase());
        self.nodes.push(NodeProto {
            op_type: Some(op_type.into()),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![out.clone()],
            name: Some(format!("{out}_node")),
            attribute: attributes,
            ..Default::default()
        });
        out
    }

    /// An operator node with two outputs (TopK's values and indices).
    pub fn op2(
        &mut self,
        op_type: &str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
    ) -> [String; 2] {
        let first = self.op(op_type, inputs, attributes);
        let second = format!("{first}_1");
        self.nodes
            .last_mut()
            .expect("op pushed a node")
            .output
            .push(second.clone());
        [first, second]
    }

    pub fn add(&mut self, a: &str, b: &str) -> String {
        self.op("Add", &[a, b], vec![])
    }
    pub fn sub(&mut self, a: &str, b: &str) -> String {
        self.op("Sub", &[a, b], vec![])
    }
    pub fn mul(&mut self, a: &str, b: &str) -> String {
        self.op("Mul", &[a, b], vec![])
    }
    pub fn div(&mut self, a: &str, b: &str) -> String {
        self.op("Div", &[a, b], vec![])
    }

    /// x W + b for a dense layer whose weights `flat` hold W (d_in × d_out, row-major) then b.
    pub fn dense(&mut self, x: &str, flat: &[f32], d_in: usize, d_out: usize) -> String {
        let w = self.constant("w", &[d_in, d_out], flat[..d_in * d_out].to_vec());
        let b = self.constant(
            "b",
            &[d_out],
            flat[d_in * d_out..d_in * d_out + d_out].to_vec(),
        );
        let xw = self.op("MatMul", &[x, &w], vec![]);
        self.add(&xw, &b)
    }

    /// A dense network ([`crate::model::MlpConfig`]'s layout: per layer W then b) with
    /// LeakyReLU(`slope`) between layers and a linear output.
    pub fn mlp(&mut self, x: &str, flat: &[f32], shapes: &[(usize, usize)], slope: f64) -> String {
        let mut at = 0;
        let mut v = x.to_string();
        for (l, &(i, o)) in shapes.iter().enumerate() {
            v = self.dense(&v, &flat[at..], i, o);
            at += i * o + o;
            if l + 1 < shapes.len() {
                v = self.op("LeakyRelu", &[&v], vec![float_attr("alpha", slope as f32)]);
            }
        }
        v
    }

    /// (x − mean) / std per column.
    pub fn standardise(&mut self, x: &str, mean: &[f32], std: &[f32]) -> String {
        let m = self.constant("mean", &[mean.len()], mean.to_vec());
        let s = self.constant("std", &[std.len()], std.to_vec());
        let d = self.sub(x, &m);
        self.div(&d, &s)
    }

    /// x · std + mean per column (the inverse of [`Graph::standardise`]).
    pub fn unstandardise(&mut self, x: &str, mean: &[f32], std: &[f32]) -> String {
        let m = self.constant("mean", &[mean.len()], mean.to_vec());
        let s = self.constant("std", &[std.len()], std.to_vec());
        let p = self.mul(x, &s);
        self.add(&p, &m)
    }

    /// `op` (a one-input operator such as Log or Exp) on the columns where `mask` is true, the
    /// others unchanged; identity (no node) when no column is masked.
    pub fn on_columns(&mut self, x: &str, op: &str, mask: &[bool]) -> String {
        if !mask.iter().any(|&m| m) {
            return x.to_string();
        }
        let m = self.mask("cols", mask);
        let y = self.op(op, &[x], vec![]);
        self.op("Where", &[&m, &y, x], vec![])
    }

    /// The serialised model; `doc` is its documentation string (what the inputs mean) and
    /// `metadata` its key–value properties (the model kind and column names, which
    /// `python/fastsim_dask` reads).
    pub fn into_model(self, name: &str, doc: &str, metadata: &[(&str, String)]) -> Vec<u8> {
        ModelProto {
            ir_version: Some(IR_VERSION),
            opset_import: vec![OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(OPSET),
            }],
            producer_name: Some("fastsim-lab".into()),
            producer_version: Some(env!("CARGO_PKG_VERSION").into()),
            doc_string: Some(doc.into()),
            metadata_props: metadata
                .iter()
                .map(|(k, v)| StringStringEntryProto {
                    key: Some(k.to_string()),
                    value: Some(v.clone()),
                })
                .collect(),
            graph: Some(GraphProto {
                name: Some(name.into()),
                node: self.nodes,
                initializer: self.initializers,
                input: self.inputs,
                output: self.outputs,
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-layer graph decodes back with its inputs, output, opset and weights as built.
    #[test]
    fn a_dense_graph_round_trips_through_the_schema() {
        let mut g = Graph::default();
        let x = g.input("gen", 2);
        let y = g.dense(&x, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.5, -0.5, 0.0], 2, 3);
        let z = g.on_columns(&y, "Exp", &[true, false, true]);
        g.output(&z, "reco", &[3]);
        let m =
            ModelProto::decode(&g.into_model("t", "doc", &[("kind", "test".into())])[..]).unwrap();
        assert_eq!(m.opset_import[0].version, Some(OPSET));
        assert_eq!(m.metadata_props[0].value.as_deref(), Some("test"));
        let graph = m.graph.unwrap();
        let names = |v: &[ValueInfoProto]| {
            v.iter()
                .map(|i| i.name.clone().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&graph.input), ["gen"]);
        assert_eq!(names(&graph.output), ["reco"]);
        let ops: Vec<_> = graph
            .node
            .iter()
            .map(|n| n.op_type.clone().unwrap())
            .collect();
        assert_eq!(ops, ["MatMul", "Add", "Exp", "Where", "Identity"]);
        assert_eq!(graph.initializer[0].dims, [2, 3]);
        assert_eq!(graph.initializer[1].float_data, [0.5, -0.5, 0.0]);
        assert_eq!(graph.initializer[2].int32_data, [1, 0, 1]);
        // No masked column: no Where, the value passes through.
        let mut g = Graph::default();
        let x = g.input("gen", 1);
        assert_eq!(g.on_columns(&x, "Log", &[false]), "gen");
    }
}
