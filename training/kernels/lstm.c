// Fused whole-sequence LSTM recurrence in WebAssembly SIMD: forward (with saved gates) and backward through time.
//
// Written by hand because no tfjs backend offers a fused LSTM: on tfjs-wasm each of the ~40 small ops per time step
// costs more in dispatch than in arithmetic. Only the recurrence lives here; the large input and weight-gradient
// matMuls stay in tfjs (XNNPACK). Built by `npm run build:kernel` (clang --target=wasm32 -msimd128, no libc) into
// lstm.wasm, which is committed; training/lstm-kernel.ts loads it.
//
// Layout: row-major float32; time-major [T, B, ·]; gates in the order i, f, c, o; the candidate's pre-activation is
// pre-scaled by 2 so that one sigmoid serves all gates (tanh(z) = 2·sigmoid(2z) − 1), as in training/lstm.ts.
// Every function needs H % 4 == 0 (the JS side falls back to plain tfjs ops otherwise).
#include <wasm_simd128.h>

typedef v128_t f4;

#define SPLAT(x) wasm_f32x4_splat(x)
#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store((p), (v))
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

// exp(x) for 4 lanes (Cephes expf: range reduction by ln 2, degree-6 polynomial); relative error ~2e-7.
static inline f4 exp4(f4 x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, SPLAT(-87.0f)), SPLAT(88.0f));
  f4 n = wasm_f32x4_floor(ADD(MUL(x, SPLAT(1.44269504088896341f)), SPLAT(0.5f)));
  x = SUB(x, MUL(n, SPLAT(0.693359375f)));
  x = SUB(x, MUL(n, SPLAT(-2.12194440e-4f)));
  f4 y = SPLAT(1.9875691500e-4f);
  y = ADD(MUL(y, x), SPLAT(1.3981999507e-3f));
  y = ADD(MUL(y, x), SPLAT(8.3334519073e-3f));
  y = ADD(MUL(y, x), SPLAT(4.1665795894e-2f));
  y = ADD(MUL(y, x), SPLAT(1.6666665459e-1f));
  y = ADD(MUL(y, x), SPLAT(5.0000001201e-1f));
  y = ADD(ADD(MUL(MUL(y, x), x), x), SPLAT(1.0f));
  v128_t e = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return MUL(y, e);
}

static inline f4 sigmoid4(f4 z) { return wasm_f32x4_div(SPLAT(1.0f), ADD(SPLAT(1.0f), exp4(wasm_f32x4_neg(z)))); }

// C[M, N] += A[M, K] · Bm[K, N]; N % 4 == 0. Blocks of 4 rows × 8 columns, then 4-column and single-row tails.
static void gemm_acc(const float* A, const float* Bm, float* C, int M, int K, int N) {
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    const float *a0 = A + i * K, *a1 = a0 + K, *a2 = a1 + K, *a3 = a2 + K;
    float *c0 = C + i * N, *c1 = c0 + N, *c2 = c1 + N, *c3 = c2 + N;
    int j = 0;
    for (; j + 8 <= N; j += 8) {
      f4 s00 = LD(c0 + j), s01 = LD(c0 + j + 4), s10 = LD(c1 + j), s11 = LD(c1 + j + 4);
      f4 s20 = LD(c2 + j), s21 = LD(c2 + j + 4), s30 = LD(c3 + j), s31 = LD(c3 + j + 4);
      const float* b = Bm + j;
      for (int k = 0; k < K; k++, b += N) {
        f4 b0 = LD(b), b1 = LD(b + 4);
        f4 x0 = SPLAT(a0[k]), x1 = SPLAT(a1[k]), x2 = SPLAT(a2[k]), x3 = SPLAT(a3[k]);
        s00 = ADD(s00, MUL(x0, b0));
        s01 = ADD(s01, MUL(x0, b1));
        s10 = ADD(s10, MUL(x1, b0));
        s11 = ADD(s11, MUL(x1, b1));
        s20 = ADD(s20, MUL(x2, b0));
        s21 = ADD(s21, MUL(x2, b1));
        s30 = ADD(s30, MUL(x3, b0));
        s31 = ADD(s31, MUL(x3, b1));
      }
      ST(c0 + j, s00), ST(c0 + j + 4, s01), ST(c1 + j, s10), ST(c1 + j + 4, s11);
      ST(c2 + j, s20), ST(c2 + j + 4, s21), ST(c3 + j, s30), ST(c3 + j + 4, s31);
    }
    for (; j < N; j += 4) {
      f4 s0 = LD(c0 + j), s1 = LD(c1 + j), s2 = LD(c2 + j), s3 = LD(c3 + j);
      const float* b = Bm + j;
      for (int k = 0; k < K; k++, b += N) {
        f4 b0 = LD(b);
        s0 = ADD(s0, MUL(SPLAT(a0[k]), b0));
        s1 = ADD(s1, MUL(SPLAT(a1[k]), b0));
        s2 = ADD(s2, MUL(SPLAT(a2[k]), b0));
        s3 = ADD(s3, MUL(SPLAT(a3[k]), b0));
      }
      ST(c0 + j, s0), ST(c1 + j, s1), ST(c2 + j, s2), ST(c3 + j, s3);
    }
  }
  for (; i < M; i++) {
    const float* a = A + i * K;
    float* c = C + i * N;
    for (int j = 0; j < N; j += 4) {
      f4 s = LD(c + j);
      const float* b = Bm + j;
      for (int k = 0; k < K; k++, b += N) s = ADD(s, MUL(SPLAT(a[k]), LD(b)));
      ST(c + j, s);
    }
  }
}

// One forward step in place: z [B, 4H] holds x·W + b (+ h_prev·R already added); becomes s = sigmoid(z).
// c [B, H] is updated from cPrev (NULL for zeros); tc = tanh(c), h = o·tc.
static void step_forward(int B, int H, float* z, const float* cPrev, float* c, float* tc, float* h) {
  const f4 one = SPLAT(1.0f), two = SPLAT(2.0f);
  for (int b = 0; b < B; b++) {
    float* s = z + b * 4 * H;
    for (int j = 0; j < 4 * H; j += 4) ST(s + j, sigmoid4(LD(s + j)));
    for (int j = 0; j < H; j += 4) {
      int r = b * H + j;
      f4 i = LD(s + j), f = LD(s + H + j), g = SUB(MUL(LD(s + 2 * H + j), two), one), o = LD(s + 3 * H + j);
      f4 cn = MUL(i, g);
      if (cPrev) cn = ADD(cn, MUL(f, LD(cPrev + r)));
      f4 t = SUB(MUL(sigmoid4(MUL(cn, two)), two), one);
      ST(c + r, cn);
      ST(tc + r, t);
      ST(h + r, MUL(o, t));
    }
  }
}

// Forward over a whole window, keeping what the backward pass needs.
// S [T, B, 4H]: in: x·W_s + b_s per step; out: sigmoid of the scaled gate pre-activations.
// R [H, 4H] scaled recurrent kernel. Out: Cs, TC, Hs [T, B, H] (cell, tanh(cell), hidden state).
void lstm_forward(int T, int B, int H, const float* R, float* S, float* Cs, float* TC, float* Hs) {
  const int g = B * 4 * H, n = B * H;
  for (int t = 0; t < T; t++) {
    if (t > 0) gemm_acc(Hs + (t - 1) * n, R, S + t * g, B, H, 4 * H);
    step_forward(B, H, S + t * g, t > 0 ? Cs + (t - 1) * n : 0, Cs + t * n, TC + t * n, Hs + t * n);
  }
}

// Forward-only over T steps from state (h, c) [B, H], which it updates. Z [T, B, 4H] as S above (overwritten);
// tc [B, H] scratch; Hs [T, B, H] out. `first` = 1 when (h, c) are the zero initial state.
void lstm_infer(int T, int B, int H, const float* R, float* Z, float* h, float* c, float* tc, float* Hs, int first) {
  const int g = B * 4 * H, n = B * H;
  for (int t = 0; t < T; t++) {
    if (!(first && t == 0)) gemm_acc(h, R, Z + t * g, B, H, 4 * H);
    step_forward(B, H, Z + t * g, (first && t == 0) ? 0 : c, c, tc, h);
    for (int k = 0; k < n; k += 4) ST(Hs + t * n + k, LD(h + k));
  }
}

// Backward through time. RT [4H, H] = transpose of the scaled recurrent kernel; S, Cs, TC from lstm_forward;
// dY [T, B, H] dL/dh_t from above. Out: DZ [T, B, 4H], dL/d(scaled pre-activation), and its sum over time and
// batch dB [4H] (the bias gradient). dh, dc [B, H] scratch.
void lstm_backward(int T, int B, int H, const float* RT, const float* S, const float* Cs, const float* TC,
                   const float* dY, float* DZ, float* dB, float* dh, float* dc) {
  const int g = B * 4 * H, n = B * H;
  const f4 one = SPLAT(1.0f), two = SPLAT(2.0f);
  for (int k = 0; k < n; k += 4) ST(dh + k, SPLAT(0.0f)), ST(dc + k, SPLAT(0.0f));
  for (int j = 0; j < 4 * H; j += 4) ST(dB + j, SPLAT(0.0f));
  for (int t = T - 1; t >= 0; t--) {
    const float* s = S + t * g;
    float* dz = DZ + t * g;
    for (int b = 0; b < B; b++) {
      const float* sb = s + b * 4 * H;
      float* db = dz + b * 4 * H;
      for (int j = 0; j < H; j += 4) {
        int r = b * H + j;
        f4 i = LD(sb + j), f = LD(sb + H + j), sg = LD(sb + 2 * H + j), o = LD(sb + 3 * H + j);
        f4 tc = LD(TC + t * n + r);
        f4 cPrev = t > 0 ? LD(Cs + (t - 1) * n + r) : SPLAT(0.0f);
        f4 dhT = ADD(LD(dh + r), LD(dY + t * n + r));
        f4 dcT = ADD(LD(dc + r), MUL(MUL(dhT, o), SUB(one, MUL(tc, tc))));
        f4 g2 = SUB(MUL(sg, two), one);
        ST(db + j, MUL(MUL(dcT, g2), MUL(i, SUB(one, i))));
        ST(db + H + j, MUL(MUL(dcT, cPrev), MUL(f, SUB(one, f))));
        ST(db + 2 * H + j, MUL(MUL(MUL(dcT, i), MUL(sg, SUB(one, sg))), two));
        ST(db + 3 * H + j, MUL(MUL(dhT, tc), MUL(o, SUB(one, o))));
        ST(dc + r, MUL(dcT, f));
      }
    }
    for (int b = 0; b < B; b++)
      for (int j = 0; j < 4 * H; j += 4) ST(dB + j, ADD(LD(dB + j), LD(dz + b * 4 * H + j)));
    for (int k = 0; k < n; k += 4) ST(dh + k, SPLAT(0.0f));
    if (t > 0) gemm_acc(dz, RT, dh, B, 4 * H, H);
  }
}
