/**
 * mclust's fourteen covariance models (Σk = λk·Dk·Ak·Dkᵀ): M-steps from scatter matrices, parameter counts,
 * regularisation and constraint checks. See docs/mclust-notes.md.
 */
import { mstepEEE } from './eee';
import { mstepEEI } from './eei';
import { mstepEEV } from './eev';
import { mstepEII } from './eii';
import { mstepEVE } from './eve';
import { mstepEVI } from './evi';
import { mstepEVV } from './evv';
import { mstepVEE } from './vee';
import { mstepVEI } from './vei';
import { mstepVEV } from './vev';
import { mstepVII } from './vii';
import { mstepVVE } from './vve';
import { mstepVVI } from './vvi';
import { mstepVVV } from './vvv';
import {
  DEFAULT_INNER_CONTROL,
  type InnerControl,
  type MclustCovariance,
  type MclustModelName,
  type MStepInput,
  type WarmStart,
} from './types';

export * from './types';
export { checkMclustConstraints } from './constraints';
export { mclustBIC, mclustICL, nMclustParams, nVarParams } from './params';
export { regulariseScatter } from './regularise';
export { vevMeColdStart } from './vev';
export {
  mstepEEE,
  mstepEEI,
  mstepEEV,
  mstepEII,
  mstepEVE,
  mstepEVI,
  mstepEVV,
  mstepVEE,
  mstepVEI,
  mstepVEV,
  mstepVII,
  mstepVVE,
  mstepVVI,
  mstepVVV,
};

/** Models whose M-step iterates (and so reads `control`). */
export const ITERATIVE_MODELS: readonly MclustModelName[] = ['VEI', 'VEE', 'EVE', 'VVE', 'VEV'];

/** Models whose iteration mclust's me() warm-starts from the previous M-step (pass it as `warm`). */
export const WARM_STARTED_MODELS: readonly MclustModelName[] = ['VEI', 'EVE', 'VVE', 'VEV'];

/**
 * The M-step of any model. `control` is the inner iteration's (ignored by the closed forms); `warm` the previous
 * M-step's result for the models in WARM_STARTED_MODELS (ignored by the others).
 */
export function mclustMStep(
  model: MclustModelName,
  input: MStepInput,
  control: InnerControl = DEFAULT_INNER_CONTROL,
  warm?: WarmStart | null,
): MclustCovariance {
  switch (model) {
    case 'EII':
      return mstepEII(input);
    case 'VII':
      return mstepVII(input);
    case 'EEI':
      return mstepEEI(input);
    case 'VEI':
      return mstepVEI(input, control, warm);
    case 'EVI':
      return mstepEVI(input);
    case 'VVI':
      return mstepVVI(input);
    case 'EEE':
      return mstepEEE(input);
    case 'VEE':
      return mstepVEE(input, control);
    case 'EVE':
      return mstepEVE(input, control, warm);
    case 'VVE':
      return mstepVVE(input, control, warm);
    case 'EEV':
      return mstepEEV(input);
    case 'VEV':
      return mstepVEV(input, control, warm);
    case 'EVV':
      return mstepEVV(input);
    case 'VVV':
      return mstepVVV(input);
    default:
      throw new Error(`unknown mclust model ${String(model)}`);
  }
}
