import { AnminError } from './errors.js';

/**
 * A dependency only some commands need (figures, the HTML page, ONNX), loaded when first used: a user
 * who installed without the optional dependencies (`npm install anmin --omit=optional`) gets fit,
 * predict, run and the tables, and a one-line error naming the package where one of these is asked for.
 */
export async function optionalImport<T>(load: () => Promise<T>, name: string, feature: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new AnminError(`${feature} needs ${name}, an optional dependency that is not installed: npm install ${name}`);
    throw e;
  }
}
