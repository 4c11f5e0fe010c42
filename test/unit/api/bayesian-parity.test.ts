/**
 * BayesianGaussianMixture against scikit-learn 1.2.1 on the JS twin (the wasm backend: test/integration/bayesian.test.ts);
 * the cases, tolerances and provenance are described in test/helpers/bayesian-parity.ts.
 */
import { BayesianGaussianMixture } from '../../../src/api/index.js';
import { bayesianParity } from '../../helpers/bayesian-parity.js';

bayesianParity(BayesianGaussianMixture, 'js');
