"""Registrations of spikey-parts: a manifest, nothing else."""

from spikey_core import hookimpl


@hookimpl
def spikey_register_parts(registry):
    # neurons
    from spikey_parts.neurons import izhikevich, izhikevich_network, lif, neuron, noisy_lif, rand_potential

    registry.add("neuron", "neuron", neuron.Neuron)
    registry.add("neuron", "rand_potential", rand_potential.RandPotential)
    registry.add("neuron", "lif", lif.LIF)
    registry.add("neuron", "noisy_lif", noisy_lif.NoisyLIF)
    registry.add("neuron", "izhikevich", izhikevich.Izhikevich)
    registry.add("neuron", "izhikevich_network", izhikevich_network.IzhikevichNetwork)

    # inputs
    from spikey_parts.inputs import gaussian_fields, poisson, rate_map, rbf, spike_trains, static_map, stimuli

    registry.add("input", "rate_map", rate_map.RateMap)
    registry.add("input", "static_map", static_map.StaticMap)
    registry.add("input", "rbf", rbf.RBF)
    registry.add("input", "poisson", poisson.Poisson)
    registry.add("input", "spike_trains", spike_trains.SpikeTrains)
    registry.add("input", "gaussian_fields", gaussian_fields.GaussianFields)
    registry.add("input", "stimuli", stimuli.Stimuli)

    # weights
    from spikey_parts.weights import manual, random, sparse

    registry.add("weight", "manual", manual.Manual)
    registry.add("weight", "random", random.Random)
    registry.add("weight", "sparse", sparse.Sparse)

    # synapses
    from spikey_parts.synapses import da_stdp, ltp, mstdp, mstdpet, rlstdp, static, stdp

    registry.add("synapse", "static", static.Static)
    registry.add("synapse", "rlstdp", rlstdp.RLSTDP)
    registry.add("synapse", "ltp", ltp.LTP)
    registry.add("synapse", "stdp", stdp.STDP)
    registry.add("synapse", "mstdp", mstdp.MSTDP)
    registry.add("synapse", "mstdpet", mstdpet.MSTDPET)
    registry.add("synapse", "da_stdp", da_stdp.DASTDP)

    # readouts
    from spikey_parts.readouts import neuron_rates, population_vector, threshold, top_action

    registry.add("readout", "threshold", threshold.Threshold)
    registry.add("readout", "neuron_rates", neuron_rates.NeuronRates)
    registry.add("readout", "population_vector", population_vector.PopulationVector)
    registry.add("readout", "top_action", top_action.TopAction)

    # rewarders
    from spikey_parts.rewarders import (
        distal_reward,
        florian,
        match_expected,
        state_set,
        target_rate,
        td_critic,
    )

    registry.add("rewarder", "match_expected", match_expected.MatchExpected)
    registry.add("rewarder", "florian", florian.Florian)
    registry.add("rewarder", "state_set", state_set.StateSet)
    registry.add("rewarder", "distal_reward", distal_reward.DistalReward)
    registry.add("rewarder", "td_critic", td_critic.TDCritic)
    registry.add("rewarder", "target_rate", target_rate.TargetRate)

    # modifiers
    from spikey_parts.modifiers import drop_off, linear_decay

    registry.add("modifier", "linear_decay", linear_decay.LinearDecay)
    registry.add("modifier", "drop_off", drop_off.DropOff)

    # engines (numba itself is optional: the engine declines when it is missing)
    from spikey_parts.engines import numba as numba_engine

    registry.add("engine", "numba", numba_engine.NumbaEngine)
