/** The deploy gate: pure pieces (samples, judge, windows, rendering); `observer gate` wires them to the store. */
export { GATE_METRICS, WHOLE_MONITOR_STEP, stepSamples, usableForBaseline, type GateMetric, type StepSample } from './samples.js';
export { DEFAULT_GATE_OPTIONS, hodgesLehmann, holmAdjust, judgeDeploy, median, type Classification, type GateJudgement, type GateOptions, type MetricJudgement, type Verdict } from './judge.js';
export { findDeploy, gateWindows, splitResults, type GateWindows } from './window.js';
export { gateJson, gateMarkdown, gateReport, type GateReport } from './markdown.js';
