import { commonOrientationMM } from './common-orientation-mm';
import {
  assembleSigma,
  checkInput,
  DEFAULT_INNER_CONTROL,
  failed,
  finish,
  type InnerControl,
  type MclustCovariance,
  type MStepInput,
  type WarmStart,
} from './types';

/**
 * VVE: Σk = λk·D·A_k·Dᵀ — varying volume and shape, common orientation (mclust msvve / mevve). The inner iteration
 * is the MM algorithm described in common-orientation-mm.ts, with λk = |diag(Dᵀ W_k D)/n_k|^{1/D} each iteration.
 * Start from D = I, A_k = I (mstep()) or from the previous result (`warm`, what me() does).
 */
export function mstepVVE(
  input: MStepInput,
  control: InnerControl = DEFAULT_INNER_CONTROL,
  warm?: WarmStart | null,
): MclustCovariance {
  checkInput(input);
  const { d, k } = input;
  const mm = commonOrientationMM(input, control, warm, true);
  const res: MclustCovariance = {
    model: 'VVE',
    d,
    k,
    sigma: new Float64Array(k * d * d),
    scale: mm.scale,
    shape: mm.shape,
    orientation: mm.orientation,
    inner: mm.inner,
    ok: true,
  };
  if (!mm.ok) return failed(res);
  res.sigma = assembleSigma(d, k, mm.scale, true, mm.shape, true, mm.orientation, false);
  return finish(res, input.nk);
}
