#include <cstdio>
int main() { std::puts("onnxi: under construction"); return 0; }
