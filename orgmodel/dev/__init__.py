"""Tools for developers, not for users: the example district's and the benchmarks' data
(`synth`), and the benchmarks of the check (`bench`) and of the charts (`chart_bench`).

    python -m orgmodel.dev.synth district examples/chongchuan
    python -m orgmodel.dev.bench --communities 10000 100000
    python -m orgmodel.dev.chart_bench --repeat 5
"""
