#!/usr/bin/env python3
"""The smearing pair of seed 000 in plain JAX: the peer `fastsim bench` measures in the same run.

Same networks (k -> 4 x 100 LeakyReLU(0.05) -> k, two of them), same loss (L1 for the mean,
pinball at gamma = 0.841 for the quantile, summed over features, averaged over the batch), same
Adam (beta 0.9/0.999, eps 1e-5, burn's bias-corrected form), same batch (128) and split (70 %
train, the other 30 % validated at the epoch's end), same sampling x = mu + |q - mu| * eps on 100k events. The inputs are standard normal
rows: the time of a dense step does not depend on the values. One jitted function per training
epoch (the full batches under `lax.scan`, so no Python runs between steps; the short last batch
is one more jitted step) and per sampling call, compiled before timing: the fastest plain JAX.
Prints one JSON object: median seconds per epoch and events per second.
"""
import argparse
import json
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import jax_mlp  # noqa: E402  (scripts/jax_mlp.py, beside this file)

p = argparse.ArgumentParser()
p.add_argument("--train-events", type=int, default=20_000)
p.add_argument("--sample-events", type=int, default=100_000)
p.add_argument("--runs", type=int, default=5)
p.add_argument("--features", type=int, default=9)
p.add_argument("--hidden", default="4x100")
a = p.parse_args()
k = a.features
layers, width = (int(v) for v in a.hidden.split("x"))
dims = [k] + [width] * layers + [k]
GAMMA, SLOPE, BATCH = 0.841, 0.05, 128


def init(key):
    return jax_mlp.init(key, dims)


def mlp(params, x):
    return jax_mlp.mlp(params, x, SLOPE)


def loss(nets, x, y):
    mu, q = mlp(nets[0], x), mlp(nets[1], x)
    r = y - q
    pin = GAMMA * jnp.maximum(r, 0) + (1 - GAMMA) * jnp.maximum(-r, 0)
    return (jnp.abs(mu - y) + pin).sum() / x.shape[0]


def step(nets, m, v, t, lr, x, y):
    val, g = jax.value_and_grad(loss)(nets, x, y)
    t = t + 1
    bc2 = jnp.sqrt(1 - 0.999**t)
    comb = bc2 / (1 - 0.9**t)
    m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
    v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
    nets = jax.tree_util.tree_map(lambda p, m, v: p - lr * (m * comb) / (jnp.sqrt(v) + 1e-5 * bc2), nets, m, v)
    return nets, m, v, t, val


jit_step = jax.jit(step)


@jax.jit
def scan_epoch(nets, m, v, t, lr, xs, ys):
    def body(carry, xy):
        nets, m, v, t = carry
        nets, m, v, t, val = step(nets, m, v, t, lr, xy[0], xy[1])
        return (nets, m, v, t), val

    (nets, m, v, t), vals = jax.lax.scan(body, (nets, m, v, t), (xs, ys))
    return nets, m, v, t, vals.sum()


@jax.jit
def sample(nets, x, eps):
    mu, q = mlp(nets[0], x), mlp(nets[1], x)
    return mu + jnp.abs(q - mu) * eps


key = jax.random.PRNGKey(1)
k1, k2, k3, k4 = jax.random.split(key, 4)
nets = [init(k1), init(k2)]
n_train = round(0.7 * a.train_events)
x = jax.random.normal(k3, (n_train, k), jnp.float32)
y = x + 0.1 * jax.random.normal(k4, (n_train, k), jnp.float32)
full = n_train // BATCH
xs = x[: full * BATCH].reshape(full, BATCH, k)
ys = y[: full * BATCH].reshape(full, BATCH, k)
x_rest, y_rest = x[full * BATCH:], y[full * BATCH:]
n_val = a.train_events - n_train
x_val = jax.random.normal(k4, (n_val, k), jnp.float32)
y_val = x_val + 0.1 * jax.random.normal(k3, (n_val, k), jnp.float32)
jit_loss = jax.jit(loss)


def epoch(nets):
    m = jax.tree_util.tree_map(jnp.zeros_like, nets)
    v = jax.tree_util.tree_map(jnp.zeros_like, nets)
    t = jnp.float32(0)
    lr = jnp.float32(1e-3)
    nets, m, v, t, total = scan_epoch(nets, m, v, t, lr, xs, ys)
    if x_rest.shape[0]:
        nets, m, v, t, val = jit_step(nets, m, v, t, lr, x_rest, y_rest)
        total = total + val
    # The epoch ends with the validation loss, as the project's does.
    jax.block_until_ready((total, jit_loss(nets, x_val, y_val)))
    return nets


def median(v):
    return sorted(v)[len(v) // 2]


epoch(nets)  # warm-up: compilation
times = []
for _ in range(a.runs):
    t0 = time.perf_counter()
    epoch(nets)
    times.append(time.perf_counter() - t0)

xs = jax.random.normal(k3, (a.sample_events, k), jnp.float32)
eps = jax.random.normal(k4, (a.sample_events, k), jnp.float32)
jax.block_until_ready(sample(nets, xs, eps))
rates = []
for r in range(a.runs):
    t0 = time.perf_counter()
    # Noise is drawn per run, as the project draws it.
    e = jax.random.normal(jax.random.PRNGKey(r), (a.sample_events, k), jnp.float32)
    out = sample(nets, xs, e)
    jax.block_until_ready(out)
    rates.append(a.sample_events / (time.perf_counter() - t0))

print(json.dumps({"jax": jax.__version__, "train_epoch_s": median(times), "sample_events_per_s": median(rates)}))
