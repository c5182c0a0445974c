// libsvm-js ships no types; what eval uses of it is typed where it is loaded (ocsvm.ts).
declare module 'libsvm-js/asm.js' {
  const SVM: unknown;
  export default SVM;
}
