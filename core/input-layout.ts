/** The LSTM input row, one per day: `[dynamic values (Dd), dynamic masks (Dd), static values (Ds), static masks (Ds)]`; every offset in it comes from here. */

/** Column offsets and width of the LSTM input row for `dynamicCols` (Dd) drivers and `staticCols` (Ds) static columns. */
export interface InputLayout {
  dynamicCols: number;
  staticCols: number;
  /** Columns per time step: 2·(Dd + Ds). */
  width: number;
  /** First column of the static block (its values, then its masks): 2·Dd. */
  staticStart: number;
  /** Column of driver `c`'s normalised value (c) and of its gap mask (Dd + c). */
  dynamicValue(c: number): number;
  dynamicMask(c: number): number;
  /** Column of static column `j`'s normalised value (2·Dd + j) and of its gap mask (2·Dd + Ds + j). */
  staticValue(j: number): number;
  staticMask(j: number): number;
}

/**
 * The layout of the LSTM input row.
 * @example inputLayout(3, 2).staticMask(1) // 2·3 + 2 + 1 = 9
 */
export function inputLayout(dynamicCols: number, staticCols: number): InputLayout {
  const staticStart = 2 * dynamicCols;
  return {
    dynamicCols,
    staticCols,
    width: 2 * (dynamicCols + staticCols),
    staticStart,
    dynamicValue: (c) => c,
    dynamicMask: (c) => dynamicCols + c,
    staticValue: (j) => staticStart + j,
    staticMask: (j) => staticStart + staticCols + j,
  };
}

/** Width of the LSTM input per time step, 2·(Dd + Ds) (see {@link inputLayout}). */
export function lstmInputWidth(dynamicCols: number, staticCols: number): number {
  return inputLayout(dynamicCols, staticCols).width;
}
