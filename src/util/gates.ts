// Gate order of the packed recurrent weights, defined once. Kernels, cells, layers and
// serializers import these; PyTorch uses the same orders, so state dicts move unchanged.
//   LSTM: weight_ih (4H, I) rows [W_ii; W_if; W_ig; W_io]   (input, forget, cell candidate, output)
//   GRU:  weight_ih (3H, I) rows [W_ir; W_iz; W_in]          (reset, update, new)
//   RNN:  weight_ih (H, I), one "gate": h = φ(W_ih x + b_ih + W_hh h + b_hh)
export const LSTM_GATES = ['i', 'f', 'g', 'o'] as const;
export const GRU_GATES = ['r', 'z', 'n'] as const;

/** The nonlinearities of the Elman RNN (PyTorch nn.RNN `nonlinearity`). */
export const RNN_NONLINEARITIES = ['tanh', 'relu'] as const;
export type RnnNonlinearity = (typeof RNN_NONLINEARITIES)[number];
