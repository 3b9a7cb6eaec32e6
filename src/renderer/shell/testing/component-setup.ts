/** The component tests' setup: each test's components are unmounted after it (testing-library's cleanup). */
import { cleanup } from '@testing-library/svelte';
import { afterEach } from 'vitest';

afterEach(() => cleanup());
