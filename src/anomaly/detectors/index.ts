/** The detector registry: order matters only for signal order within one observation. */
import type { Detector } from '../detector.js';
import { distributionDetector } from './distribution.js';
import { errorsDetector } from './errors.js';
import { patternsDetector } from './patterns.js';
import { regressionDetector } from './regression.js';
import { slaDetector } from './sla.js';
import { sloDetector } from './slo.js';
import { spikeDetector } from './spike.js';

export const DETECTORS: readonly Detector[] = [
  slaDetector,
  sloDetector,
  spikeDetector,
  regressionDetector,
  errorsDetector,
  distributionDetector,
  patternsDetector,
] as Detector[];
