export { Optimizer, type ParamGroup, type ParamGroupInput, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { StepLR, ExponentialLR, CosineAnnealingLR, WarmupCosineLR, ReduceLROnPlateau, type PlateauOptions } from './schedule.js';
export { AveragedModel, type AveragedModelOptions } from './swa.js';
