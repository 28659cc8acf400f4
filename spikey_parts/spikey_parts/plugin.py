"""Registrations of spikey-parts: a manifest, nothing else."""

from spikey_core import hookimpl


@hookimpl
def spikey_register_parts(registry):
    # neurons

    # inputs

    # weights

    # synapses

    # readouts

    # rewarders

    # modifiers
    pass
