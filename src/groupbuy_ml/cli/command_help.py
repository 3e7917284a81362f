"""``groupbuy <command> --help``: what a command does, its config groups and its config.

Every command reads ``configs/<command>.yaml`` (``demo`` composes the others). The help shows
the command's line from the command table, the module's description, the config groups of its
defaults list with every option, and the composed default config, whose keys are the
``key=value`` overrides the command takes.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf, open_dict

from groupbuy_ml.cli.hydra_app import config_dir

__all__ = ["HELP_FLAGS", "command_help", "wants_help"]

HELP_FLAGS = ("-h", "--help")
HYDRA_APPS = {"train", "federate"}  # run as Hydra apps: -m, --cfg job, --hydra-help work too


def wants_help(args: Sequence[str]) -> bool:
    """Whether the arguments ask for help (``-h``/``--help`` anywhere)."""
    return any(a in HELP_FLAGS for a in args)


def command_help(command: str, summary: str, module: str) -> str:
    """The help text of ``command``.

    Args:
        command: the sub-command.
        summary: its line in the command table.
        module: the module implementing it (its docstring describes the command).
    """
    lines = [f"usage: groupbuy {command} [key=value ...]"
             + (" [-m] [--cfg job]" if command in HYDRA_APPS else ""), "", summary]
    doc = (importlib.import_module(module).__doc__ or "").strip().replace("``", "")
    if doc:
        lines += ["", doc]
    name = command if (config_dir() / f"{command}.yaml").exists() else None
    if name is None:
        lines += ["", "Overrides (key=value) apply to the configs this command composes "
                  "(simulate, train, promote)."]
        return "\n".join(lines)
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose(config_name=name, return_hydra_config=True)
        loader = GlobalHydra.instance().config_loader()
        choices = {g: c for g, c in OmegaConf.to_container(cfg.hydra.runtime.choices).items()
                   if not g.startswith("hydra")}
        groups = {g: loader.get_group_options(g) for g in choices}
    lines += ["", f"Config groups (choose with group=option; configs/{name}.yaml's defaults):"]
    for group, chosen in sorted(choices.items()):
        options = ", ".join(groups[group]) or "-"
        lines.append(f"  {group:<18} now {chosen if chosen is not None else 'null'}; "
                     f"options: {options}")
    with open_dict(cfg):
        del cfg["hydra"]
    example = _example(OmegaConf.to_container(cfg)) or "key=value"
    lines += ["", f"Config (configs/{name}.yaml; set any key as key=value, e.g. {example}):",
              "",
              OmegaConf.to_yaml(cfg, resolve=False).rstrip()]
    if command in HYDRA_APPS:
        lines += ["", "Hydra options: -m (multirun sweeps), --cfg job (print the composed "
                  "config), --hydra-help."]
    return "\n".join(lines)


def _example(tree: object, prefix: str = "") -> str | None:
    """A ``key=value`` example: the first number (else plain word) in the config."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            found = _example(value, f"{prefix}{key}.")
            if found:
                return found
        return None
    numeric = isinstance(tree, int | float) and not isinstance(tree, bool)
    if numeric or (isinstance(tree, str) and tree.isidentifier()):
        return f"{prefix.rstrip('.')}={tree}"
    return None
