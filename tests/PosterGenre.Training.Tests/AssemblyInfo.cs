// The training tests run one at a time. TorchSharp 0.107 frees a Scalar's native handle in its
// finalizer and does not keep the Scalar alive while native code reads it (optimizer steps pass
// implicit Scalars such as AdamW's eps). A garbage collection started by another thread at that
// moment, as another test running in parallel starts them, can free the Scalar mid-call: libtorch
// then reads garbage, and an end-to-end test failed once in CI with "Exception raised from
// toFloat". DEVELOPERS.md ("TorchSharp's implicit Scalars") has the measurement and the program
// that reproduces it.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
