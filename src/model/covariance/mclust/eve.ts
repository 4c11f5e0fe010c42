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
 * EVE: Σk = λ·D·A_k·Dᵀ — equal volume, varying shape, common orientation (mclust mseve / meeve). The inner
 * iteration is the MM algorithm described in common-orientation-mm.ts; λ = t / (D·n) from its final target.
 * Start from D = I, A_k = I (mstep()) or from the previous result (`warm`, what me() does).
 */
export function mstepEVE(
  input: MStepInput,
  control: InnerControl = DEFAULT_INNER_CONTROL,
  warm?: WarmStart | null,
): MclustCovariance {
  checkInput(input);
  const { d, k } = input;
  const mm = commonOrientationMM(input, control, warm, false);
  const res: MclustCovariance = {
    model: 'EVE',
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
  res.sigma = assembleSigma(d, k, mm.scale, false, mm.shape, true, mm.orientation, false);
  return finish(res, input.nk);
}
