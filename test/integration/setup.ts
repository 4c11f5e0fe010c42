// Integration and end-to-end tests run the built artifacts: hand the kernel binary and the worker script to the
// library as the package entry point does, so tests that import source modules directly (kernels, seeding) get them.
import { provideArtifacts } from '../../src/artifacts.js';

provideArtifacts();
