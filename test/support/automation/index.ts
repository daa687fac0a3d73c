export * from './executor';
export { jsonPath } from './json-path';
export * from './world';
