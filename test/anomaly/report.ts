/** Print the scenario suite's figures: `tsx test/anomaly/report.ts`. */
import { measureSuite } from './scenarios.js';

console.log(JSON.stringify(measureSuite(), null, 2));
