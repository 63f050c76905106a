#!/usr/bin/env python3
"""The FCGAN of seed 002 in plain JAX: the peer `fastsim bench` measures beside the project's
FCGAN training epoch, in the same run.

Same networks (generator: 12 noise + 12 detector-level values -> layers x units LeakyReLU(0.2)
-> 12; discriminator: 12 parton-level + 12 detector-level values -> layers x units -> 1), same
losses (eq. 10: -log D on real, -log(1 - D) on generated events, plus lambda_D = 1e-3 times
(1 - D)^2 |grad phi|^2 on real and D^2 |grad phi|^2 on generated ones, the gradient with respect
to the discriminator's input; eq. 11 with lambda_G = 1 times the MMD on m_jj with the six
Gaussian kernels of 0.5 ... 16 W widths), same Adam (beta1 0.5, beta2 0.999, eps 1e-5, burn's
bias-corrected form), one discriminator and one generator step per batch of 512 on the same
generated events, 80 % of the events training and the rest unfolded for validation at the
epoch's end. The rows are standard normal (a step's time does not depend on the values); m_jj
is taken from the first six columns as jets of about 40 GeV. One jitted function per epoch (the
full batches under `lax.scan`; the short last batch one more jitted step), compiled before
timing. Prints one JSON object: the median seconds per epoch.
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
p.add_argument("--events", type=int, default=10_000)
p.add_argument("--runs", type=int, default=3)
p.add_argument("--layers", type=int, default=4)
p.add_argument("--units", type=int, default=128)
a = p.parse_args()
K, SLOPE, BATCH, LAMBDA_D, LAMBDA_G = 12, 0.2, 512, 1e-3, 1.0
W_WIDTH = 2.085
WIDTHS = jnp.array([f * W_WIDTH for f in (0.5, 1, 2, 4, 8, 16)], jnp.float32)
MEAN = jnp.zeros(6, jnp.float32).at[0].set(40.0).at[3].set(-40.0)
STD = jnp.full(6, 2.0, jnp.float32)


def init(key, d_in, d_out):
    return jax_mlp.init(key, [d_in] + [a.units] * a.layers + [d_out])


def mlp(params, x):
    return jax_mlp.mlp(params, x, SLOPE)


def mjj(x):
    p = x[:, :6] * STD + MEAN
    p1, p2 = p[:, :3], p[:, 3:]
    e = jnp.sqrt((p1 * p1).sum(1) + 1e-9) + jnp.sqrt((p2 * p2).sum(1) + 1e-9)
    s = p1 + p2
    return jnp.sqrt(jnp.maximum(e * e - (s * s).sum(1), 1e-6))


def mmd(x, y):
    def mean_k(u, v):
        d2 = (u[:, None] - v[None, :]) ** 2
        return jnp.exp(-d2[..., None] / (2 * WIDTHS**2)).sum(-1).mean()

    return jnp.sqrt(jnp.maximum(mean_k(x, x) + mean_k(y, y) - 2 * mean_k(x, y), 0) + 1e-12)


def d_loss(d, fake, real, cond):
    xr, xf = jnp.concatenate([real, cond], 1), jnp.concatenate([fake, cond], 1)
    phi = lambda x: mlp(d, x)[:, 0]  # noqa: E731
    phi_r, phi_f = phi(xr), phi(xf)
    g_r = jax.grad(lambda x: phi(x).sum())(xr)
    g_f = jax.grad(lambda x: phi(x).sum())(xf)
    l_d = jax.nn.softplus(-phi_r).mean() + jax.nn.softplus(phi_f).mean()
    reg = (jax.nn.sigmoid(-phi_r) ** 2 * (g_r**2).sum(1)).mean() + (jax.nn.sigmoid(phi_f) ** 2 * (g_f**2).sum(1)).mean()
    return l_d + LAMBDA_D * reg


def g_loss(g, d, noise, cond, real):
    fake = mlp(g, jnp.concatenate([noise, cond], 1))
    phi = mlp(d, jnp.concatenate([fake, cond], 1))[:, 0]
    return jax.nn.softplus(-phi).mean() + LAMBDA_G * mmd(mjj(fake), mjj(real))


def adam(params, m, v, t, grads, lr):
    bc2 = jnp.sqrt(1 - 0.999**t)
    comb = bc2 / (1 - 0.5**t)
    m = jax.tree_util.tree_map(lambda m, g: 0.5 * m + 0.5 * g, m, grads)
    v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
    params = jax.tree_util.tree_map(lambda p, m, v: p - lr * (m * comb) / (jnp.sqrt(v) + 1e-5 * bc2), params, m, v)
    return params, m, v


def step(state, batch):
    g, d, mg, vg, md, vd, t = state
    cond, real, noise = batch
    t = t + 1
    fake = mlp(g, jnp.concatenate([noise, cond], 1))
    ld, grads = jax.value_and_grad(d_loss)(d, jax.lax.stop_gradient(fake), real, cond)
    d, md, vd = adam(d, md, vd, t, grads, 1e-4)
    lg, grads = jax.value_and_grad(g_loss)(g, d, noise, cond, real)
    g, mg, vg = adam(g, mg, vg, t, grads, 1e-4)
    return (g, d, mg, vg, md, vd, t), ld + lg


jit_step = jax.jit(step)


@jax.jit
def scan_epoch(state, conds, reals, noises):
    state, losses = jax.lax.scan(step, state, (conds, reals, noises))
    return state, losses.sum()


@jax.jit
def validate(g, cond, noise):
    return mjj(mlp(g, jnp.concatenate([noise, cond], 1)))


keys = jax.random.split(jax.random.PRNGKey(1), 6)
g, d = init(keys[0], 2 * K, K), init(keys[1], 2 * K, 1)
n_train = round(0.8 * a.events)
cond, real, noise = (jax.random.normal(k, (a.events, K), jnp.float32) for k in keys[2:5])
full = n_train // BATCH


def batches(x):
    return x[: full * BATCH].reshape(full, BATCH, K), x[full * BATCH : n_train]


(cb, cr), (rb, rr), (nb, nr) = batches(cond), batches(real), batches(noise)


def epoch():
    zeros = lambda p: jax.tree_util.tree_map(jnp.zeros_like, p)  # noqa: E731
    state = (g, d, zeros(g), zeros(g), zeros(d), zeros(d), jnp.float32(0))
    state, total = scan_epoch(state, cb, rb, nb)
    if cr.shape[0]:
        state, val = jit_step(state, (cr, rr, nr))
        total = total + val
    # The epoch ends by unfolding the validation events, as the project's does.
    jax.block_until_ready((total, validate(state[0], cond[n_train:], noise[n_train:])))


epoch()  # warm-up: compilation
times = []
for _ in range(a.runs):
    t0 = time.perf_counter()
    epoch()
    times.append(time.perf_counter() - t0)
print(json.dumps({"jax": jax.__version__, "train_epoch_s": sorted(times)[len(times) // 2]}))
