# AppServer operator: build, test, demo.
# Tool and cluster targets live in hack/*.mk so each area keeps its own recipes.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

include $(wildcard $(ROOT)/hack/*.mk)

.PHONY: help
help:
	@echo "make demo   - run the operator on a local (or the current) cluster and deploy the example"
	@echo "make test   - run every test suite"
