// The benchmark worker's workflows: every production workflow plus the bench-only naive import.
export * from '../../src/workflows';
export * from './naiveWorkflow';
