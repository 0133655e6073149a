/*
 * Fused recurrent kernels (seq.c): a whole sequence of one layer and one direction,
 * forward and backward (BPTT), with the semantics of src/kernels/recurrent/{lstm,gru,rnn}.ts
 * (read those for the equations and the meaning of every buffer), and the per-step gate
 * kernels of src/kernels/ref/recurrent-gates.ts. The sequence kernels return 0, or −1 when
 * their scratch cannot be allocated (the outputs are then unspecified; the addon throws).
 * Pointers of the per-step kernels are
 * already offset to the step's rows. lengths may be NULL (every row has length T).
 */
#ifndef RC_SEQ_H
#define RC_SEQ_H

#include <stddef.h>
#include <stdint.h>

int rc_lstm_forward(float *hState, float *cState, float *gates, const float *x,
                     const float *h0, const float *c0, const float *wIH, const float *wHH,
                     const float *bIH, const float *bHH, const int32_t *lengths,
                     int T, int B, int I, int H, int saveGates);
int rc_lstm_backward(float *dx, float *dh0, float *dc0, float *dwIH, float *dwHH,
                      float *dbIH, float *dbHH, float *dhSteps, const float *dhOut,
                      const float *dhN, const float *dcN, const float *hState,
                      const float *cState, const float *gates, const float *x,
                      const float *h0, const float *c0, const float *wIH, const float *wHH,
                      const int32_t *lengths, int T, int B, int I, int H);

int rc_gru_forward(float *hState, float *gates, float *ghn, const float *x, const float *h0,
                    const float *wIH, const float *wHH, const float *bIH, const float *bHH,
                    const int32_t *lengths, int T, int B, int I, int H);
int rc_gru_backward(float *dx, float *dh0, float *dwIH, float *dwHH, float *dbIH,
                     float *dbHH, float *dhSteps, const float *dhOut, const float *dhN,
                     const float *hState, const float *gates, const float *ghn,
                     const float *x, const float *h0, const float *wIH, const float *wHH,
                     const int32_t *lengths, int T, int B, int I, int H);

int rc_rnn_forward(float *hState, const float *x, const float *h0, const float *wIH,
                    const float *wHH, const float *bIH, const float *bHH, int relu,
                    const int32_t *lengths, int T, int B, int I, int H);
int rc_rnn_backward(float *dx, float *dh0, float *dwIH, float *dwHH, float *dbIH,
                     float *dbHH, float *dhSteps, const float *dhOut, const float *dhN,
                     const float *hState, const float *x, const float *h0,
                     const float *wIH, const float *wHH, int relu,
                     const int32_t *lengths, int T, int B, int I, int H);

/* Per-step gate kernels (the Backend interface's lstmGatesForward, …). */
void rc_lstm_gates_forward(float *gates, float *c, float *m, const float *cPrev,
                           const int32_t *lengths, int t, int B, int H);
void rc_lstm_gates_backward(float *dgates, float *dc, const float *dm, const float *gates,
                            const float *c, const float *cPrev, const int32_t *lengths,
                            int t, int B, int H);
void rc_gru_gates_forward(float *gates, float *ghn, float *h, const float *gx, const float *gh,
                          const float *hPrev, const int32_t *lengths, int t, int B, int H);
void rc_gru_gates_backward(float *dgx, float *dgh, float *dhDirect, const float *dh,
                           const float *gates, const float *ghn, const float *hPrev,
                           const int32_t *lengths, int t, int B, int H);
void rc_rnn_act_forward(float *h, const float *pre, int relu, const int32_t *lengths,
                        int t, int B, int H);
void rc_rnn_act_backward(float *dpre, const float *dh, const float *h, int relu,
                         const int32_t *lengths, int t, int B, int H);

/* Bytes of scratch the last sequence call kept (grow-only; for the leak check). */
size_t rc_seq_scratch_bytes(void);

#endif
